-- POST one new Person per request; every request gets a unique sourceId.
local counter = 0
local headers = nil

setup = function(thread)
  thread:set("thread_tag", tostring(math.random(1, 1e9)))
end

request = function()
  if headers == nil then
    -- wrk.format replaces the default headers when given a table: keep -H Authorization.
    headers = {}
    for name, value in pairs(wrk.headers) do
      headers[name] = value
    end
    headers["Content-Type"] = "application/json"
  end
  counter = counter + 1
  local body = string.format(
    '{"firstName":"Bench","lastName":"Writer","sourceId":"wrk-%s-%s-%d","birthDate":"1980-05-17","gender":"female"}',
    os.getenv("RUN_TAG") or "run", thread_tag, counter)
  return wrk.format("POST", "/api/v1/records/Person", headers, body)
end
