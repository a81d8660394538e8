-- wrk script: Synapse-shaped report pushes (PUT, JSON), a different server name per request.
counter = 0
request = function()
  counter = counter + 1
  local body = '{"homeserver":"bench' .. counter .. '.example","timestamp":1790000000,"uptime_seconds":300,' ..
    '"total_users":42,"total_nonbridged_users":40,"daily_active_users":7,"monthly_active_users":20,' ..
    '"total_room_count":9,"daily_messages":100,"daily_sent_messages":50,"cache_factor":0.5,' ..
    '"database_engine":"psycopg2","database_server_version":"15.10","python_version":"3.13.5",' ..
    '"log_level":"INFO","server_context":null}'
  return wrk.format("PUT", "/report-usage-stats/push",
    {["Content-Type"] = "application/json", ["User-Agent"] = "Synapse/1.160.0"}, body)
end
