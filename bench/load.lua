-- wrk script: logged-in members browsing, RSVPing and voting (bench/load.sh runs it).
-- Usage: wrk ... -s bench/load.lua URL -- MODE SESSIONS_FILE
-- MODE: floor (/healthz), events (the event list), group (the biggest group's page), mixed
-- (election night: half browsing, a quarter RSVP/cancel, a quarter vote taps), vote (voters
-- only: the ballot page, then two taps that add and remove an option).
-- A member never has two requests in flight (bench/members.lua): their RSVP and its
-- cancellation, their tap and its undoing, reach the server in the order they were sent.
-- bench/load.sh logs in as many members as connections, so one is always idle.

dofile("bench/members.lua")

function init(args)
  mode, sessions = args[1], {}
  for _, row in ipairs(members.read(args[2], id)) do
    local f = row.fields
    table.insert(sessions, {cookie = f[1], csrf = f[2], event = f[3], consultation = f[4],
                            option = f[5], group = f[6], going = f[7] == "1",
                            voted = f[8] == "1",
                            step = row.line})
  end
end

local function get(s, k, path)
  return wrk.format("GET", path, {Cookie = s.cookie, ["User-Agent"] = members.AGENT,
                                  ["X-Request-Id"] = "s" .. k .. "-get"})
end

local function post(s, k, path, body)
  return wrk.format("POST", path, {Cookie = s.cookie, ["User-Agent"] = members.AGENT,
    ["X-CSRFToken"] = s.csrf,
    ["X-Request-Id"] = "s" .. k .. "-post", ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded"}, body or "")
end

local function tap(s, k)
  s.voted = not s.voted
  return post(s, k, "/consultations/" .. s.consultation .. "/vote/tap",
              "option=" .. s.option .. "&action=" .. (s.voted and "add" or "remove"))
end

function request()
  local s, k = members.next_idle(sessions)
  if s == nil then  -- every member busy (a lost answer): read a page, change nothing
    s, k = sessions[1], 0
    return get(s, k, mode == "group" and "/groups/" .. s.group or "/events/")
  end
  if mode == "floor" then return get(s, k, "/healthz") end
  if mode == "events" then return get(s, k, "/events/") end
  if mode == "group" then return get(s, k, "/groups/" .. s.group) end
  s.step = s.step + 1
  if mode == "vote" then
    if s.step % 3 == 0 then return get(s, k, "/consultations/" .. s.consultation .. "/vote") end
    return tap(s, k)
  end
  local step = s.step % 8
  if step == 0 then return get(s, k, "/") end
  if step == 1 then return get(s, k, "/events/") end
  if step == 2 then return get(s, k, "/groups/" .. s.group) end
  if step == 3 then return get(s, k, "/events/" .. s.event) end
  if step == 4 or step == 5 then
    s.going = not s.going
    return post(s, k, "/events/" .. s.event .. (s.going and "/rsvp" or "/rsvp/cancel"))
  end
  return tap(s, k)
end

function response(status, headers, body)
  members.release(headers)
end

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
                 + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.1f %.1f %.1f %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, errors, summary.requests))
end
