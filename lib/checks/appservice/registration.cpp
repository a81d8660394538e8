#include "checks/appservice/registration.h"

#include <cctype>
#include <map>

#include "config/config.h"

namespace hsops::checks::appservice {
namespace {

Registration read(const config::Document& doc) {
  const config::Section root = doc.root();
  Registration r;
  r.file = doc.file();
  r.id = root.string("id", "");
  if (r.id.empty()) root.fail("id", "the registration has no id (Synapse refuses it too)");
  try {
    r.url = root.optional_string("url");
  } catch (const config::ConfigError&) {
    // `url: null` is valid (the homeserver sends nothing); lib/config has no "null" getter, but
    // a null value reads as an empty mapping through child(), anything else fails there.
    if (!root.child("url").keys().empty()) root.fail("url", "expected a URL string or null");
    r.url = std::nullopt;
  }
  r.as_token = root.string("as_token", "");
  if (r.as_token.empty()) root.fail("as_token", "the registration has no as_token");
  r.sender_localpart = root.string("sender_localpart", "");
  const config::Section ns = root.child("namespaces");
  for (const char* kind : {"users", "aliases", "rooms"}) {
    for (const auto& item : ns.list(kind)) {
      Namespace n;
      n.kind = kind;
      n.regex = item.string("regex", "");
      if (n.regex.empty()) item.fail("regex", "a namespace needs a regex");
      n.exclusive = item.boolean("exclusive", false);
      r.namespaces.push_back(std::move(n));
    }
  }
  // Other keys (hs_token, rate_limited, protocols, ...) are Synapse's business: not rejected.
  return r;
}

bool is_meta(char c) { return std::string_view(".[]()*+?{}|\\$^").find(c) != std::string_view::npos; }

}  // namespace

Registration load_registration(const std::filesystem::path& file) { return read(config::Document::load(file)); }

Registration parse_registration(std::string_view yaml, std::string file_name) {
  return read(config::Document::parse(yaml, std::move(file_name)));
}

std::string literal_prefix(std::string_view regex) {
  std::string out;
  std::size_t i = (!regex.empty() && regex.front() == '^') ? 1 : 0;
  for (; i < regex.size(); ++i) {
    const char c = regex[i];
    if (c == '\\' && i + 1 < regex.size() && !std::isalnum(static_cast<unsigned char>(regex[i + 1]))) {
      out += regex[++i];
      continue;
    }
    if (is_meta(c)) break;
    out += c;
  }
  // A quantifier applies to the last literal character, which is then optional.
  if (i < regex.size() && std::string_view("*?{").find(regex[i]) != std::string_view::npos && !out.empty()) out.pop_back();
  return out;
}

std::string host_port(std::string_view url) {
  std::string_view rest;
  std::string port;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
    port = "80";
  } else if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
    port = "443";
  } else {
    return "";
  }
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  std::string host(rest);
  const auto colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    port = host.substr(colon + 1);
    host.resize(colon);
  }
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host == "localhost" || host == "[::1]") host = "127.0.0.1";
  return host + ":" + port;
}

std::vector<LintFinding> lint(const std::vector<Registration>& regs, const std::string& homeserver_url) {
  std::vector<LintFinding> out;
  const std::string hs = host_port(homeserver_url);
  std::map<std::string, std::string> ids;     // id -> file
  std::map<std::string, std::string> tokens;  // as_token -> id (the token itself never printed)
  for (const auto& r : regs) {
    if (auto [it, fresh] = ids.emplace(r.id, r.file); !fresh) {
      out.push_back({Status::critical, r.id, "id '" + r.id + "' is registered twice (" + it->second + " and " + r.file + ")"});
    }
    if (auto [it, fresh] = tokens.emplace(r.as_token, r.id); !fresh) {
      out.push_back({Status::critical, r.id, "appservices '" + it->second + "' and '" + r.id + "' share one as_token"});
    }
    if (r.url) {
      if (host_port(*r.url).empty()) {
        out.push_back({Status::critical, r.id, "url '" + *r.url + "' has no http:// or https:// scheme: the homeserver cannot reach it"});
      } else if (!hs.empty() && host_port(*r.url) == hs) {
        out.push_back({Status::critical, r.id, "url '" + *r.url + "' points at the homeserver itself, not at the bridge"});
      }
    }
    for (const auto& n : r.namespaces) {
      // Synapse anchors at the start (re.match), other servers search: "^" makes it mean one thing.
      if (n.exclusive && n.regex.front() != '^') {
        out.push_back({Status::warning, r.id, n.kind + " regex '" + n.regex + "' is exclusive but not anchored with ^"});
      }
    }
  }
  // Overlap: two exclusive namespaces of one kind in different registrations whose literal
  // prefixes are prefixes of each other can claim the same IDs.
  for (std::size_t a = 0; a < regs.size(); ++a) {
    for (std::size_t b = a + 1; b < regs.size(); ++b) {
      for (const auto& x : regs[a].namespaces) {
        for (const auto& y : regs[b].namespaces) {
          if (!x.exclusive || !y.exclusive || x.kind != y.kind) continue;
          const std::string px = literal_prefix(x.regex), py = literal_prefix(y.regex);
          if (px.rfind(py, 0) == 0 || py.rfind(px, 0) == 0) {
            out.push_back({Status::warning, regs[b].id, "exclusive " + x.kind + " regex '" + y.regex + "' of '" + regs[b].id +
                                                            "' may overlap '" + x.regex + "' of '" + regs[a].id + "'"});
          }
        }
      }
    }
  }
  return out;
}

}  // namespace hsops::checks::appservice
