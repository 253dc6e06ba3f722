-- POST one new Person per request; every request gets a unique sourceId.
local counter = 0
setup = function(thread)
  thread:set("thread_tag", tostring(math.random(1, 1e9)))
end
request = function()
  counter = counter + 1
  local body = string.format(
    '{"firstName":"Bench","lastName":"Writer","sourceId":"wrk-%s-%s-%d","birthDate":"1980-05-17","gender":"female"}',
    os.getenv("RUN_TAG") or "run", thread_tag, counter)
  return wrk.format("POST", "/api/v1/records/Person", {["Content-Type"] = "application/json"}, body)
end
