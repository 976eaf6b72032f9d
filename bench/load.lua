-- wrk script: logged-in members browsing, RSVPing and voting (bench/load.sh runs it).
-- Usage: wrk ... -s bench/load.lua URL -- MODE SESSIONS_FILE
-- MODE: events (the event list), group (the biggest group's page), mixed (election night:
-- half browsing, a quarter RSVP/cancel, a quarter vote taps), vote (voters only: the ballot
-- page, then two taps that add and remove an option).

local threads, counter = {}, 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  mode, sessions = args[1], {}
  local n = 0
  for line in io.lines(args[2]) do
    -- each thread gets its own sessions: one member's requests never overlap
    if n % counter_total() == id then
      local c, t, e, k, o, g = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)")
      table.insert(sessions, {cookie = c, csrf = t, event = e, consultation = k, option = o,
                              group = g, going = false, voted = false})
    end
    n = n + 1
  end
  i = 0
end

function counter_total()
  return tonumber(os.getenv("WRK_THREADS") or "2")
end

local function get(s, path)
  return wrk.format("GET", path, {Cookie = s.cookie})
end

local function post(s, path, body)
  return wrk.format("POST", path, {Cookie = s.cookie, ["X-CSRFToken"] = s.csrf,
    ["HX-Request"] = "true", ["Content-Type"] = "application/x-www-form-urlencoded"}, body or "")
end

function request()
  i = i + 1
  local s = sessions[(i % #sessions) + 1]
  if mode == "floor" then return get(s, "/healthz") end
  if mode == "events" then return get(s, "/events/") end
  if mode == "group" then return get(s, "/groups/" .. s.group) end
  if mode == "vote" and i % 3 == 0 then
    return get(s, "/consultations/" .. s.consultation .. "/vote")
  end
  if mode == "vote" then
    s.voted = not s.voted
    return post(s, "/consultations/" .. s.consultation .. "/vote/tap",
                "option=" .. s.option .. "&action=" .. (s.voted and "add" or "remove"))
  end
  local step = i % 8
  if step == 0 then return get(s, "/") end
  if step == 1 then return get(s, "/events/") end
  if step == 2 then return get(s, "/groups/" .. s.group) end
  if step == 3 then return get(s, "/events/" .. s.event) end
  if step == 4 or step == 5 then
    s.going = not s.going
    return post(s, "/events/" .. s.event .. (s.going and "/rsvp" or "/rsvp/cancel"))
  end
  s.voted = not s.voted
  return post(s, "/consultations/" .. s.consultation .. "/vote/tap",
              "option=" .. s.option .. "&action=" .. (s.voted and "add" or "remove"))
end

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
                 + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.1f %.1f %.1f %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, errors, summary.requests))
end
