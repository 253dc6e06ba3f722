-- GET /api/v1/records/Person/{id} for ids drawn at random from IDS_FILE.
local ids = {}
local path = os.getenv("IDS_FILE")
for line in io.lines(path) do
  ids[#ids + 1] = line
end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/v1/records/Person/" .. ids[math.random(#ids)])
end
