-- wrk script for bench/votes.sh: anonymous visitors vote on the statements
-- of one open public deliberation, one PUT …/vote per request.
-- Arguments: DELIBERATION STATEMENT_IDS(comma-separated) MODE
--   new     each request is a new visitor (no cookie, an address of its
--           own): a participant is made and counted, then the vote.
--   revote  each thread first makes POOL visitors that way and keeps their
--           cookies, then re-votes as one of them at random: the earlier vote
--           is read and the tallies move from the old value to the new one.
-- Addresses go in X-Forwarded-For (the server runs with --trust-proxy), so
-- that the limit on new visitors per address does not apply.
local POOL = 400
local values = { "agree", "disagree", "pass" }
local threads = {}
local counter = 0
local pool = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  deliberation = args[1]
  ids = {}
  for s in string.gmatch(args[2], "%d+") do
    ids[#ids + 1] = s
  end
  mode = args[3] or "new"
  math.randomseed(tid * 7919)
end

function request()
  counter = counter + 1
  local sid = ids[math.random(#ids)]
  local headers = { ["Content-Type"] = "application/json" }
  if mode == "revote" and #pool >= POOL then
    headers["Cookie"] = pool[math.random(#pool)]
    headers["X-Forwarded-For"] = "10.200.0." .. tid
  else
    headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", tid, math.floor(counter / 256) % 256, counter % 256)
  end
  local body = '{"vote":"' .. values[math.random(3)] .. '"}'
  return wrk.format("PUT", "/api/v1/deliberations/" .. deliberation .. "/statements/" .. sid .. "/vote", headers, body)
end

function response(status, headers, body)
  if mode == "revote" and #pool < POOL then
    local c = headers["set-cookie"] or headers["Set-Cookie"]
    if c then
      pool[#pool + 1] = c:match("^[^;]+")
    end
  end
end
