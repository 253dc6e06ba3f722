-- GET one path per request for ids drawn at random from IDS_FILE. PATH_TEMPLATE names the
-- path, with {id} where the id goes (default: a Person record by id).
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do
  ids[#ids + 1] = line
end
local template = os.getenv("PATH_TEMPLATE") or "/api/v1/records/Person/{id}"
local before, after = template:match("^(.*){id}(.*)$")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", before .. ids[math.random(#ids)] .. after)
end
