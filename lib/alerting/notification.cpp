#include "alerting/notification.h"

namespace hsops::alerting {

std::string_view to_string(Event event) {
  switch (event) {
    case Event::firing: return "firing";
    case Event::repeat: return "repeat";
    case Event::escalated: return "escalated";
    case Event::resolved: return "resolved";
    case Event::acked: return "acked";
  }
  return "firing";
}

}  // namespace hsops::alerting
