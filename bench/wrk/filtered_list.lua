-- GET a 50-row page of Person filtered on the indexed lastName, names drawn from NAMES_FILE.
local names = {}
for line in io.lines(os.getenv("NAMES_FILE")) do
  names[#names + 1] = line
end
local function encode(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
math.randomseed(os.time())
request = function()
  local filter = encode("lastName = '" .. names[math.random(#names)] .. "'")
  return wrk.format("GET", "/api/v1/records/Person?limit=50&filter=" .. filter)
end
