-- What the wrk scripts (bench/load.lua, deploy/scale-out.lua) share: each wrk thread reads its
-- own share of the logged-in members (bench/sessions.py's lines, tab-separated), and a member
-- never has two requests in flight: the next request goes to a member who is idle, tagged
-- with X-Request-Id ("s<member>-..."), which the app (and nginx) echo in the answer.
-- Load it from the repository's root: dofile("bench/members.lua").

members = {threads = {}}
-- The User-Agent bench/sessions.py logged in with: a session is tied to its browser.
members.AGENT = "coopol-bench"

-- wrk's setup(): number the threads (each thread's `id`, read by members.read) and keep them
-- for done() (members.threads).
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(members.threads, thread)
end

-- Return this thread's lines of the file, each as a list of its fields.
function members.read(path, thread_id)
  local rows, total, line_no = {}, tonumber(os.getenv("WRK_THREADS") or "2"), 0
  for line in io.lines(path) do
    if line_no % total == thread_id then
      local fields = {}
      for field in line:gmatch("[^\t]+") do table.insert(fields, field) end
      table.insert(rows, {fields = fields, line = line_no})
    end
    line_no = line_no + 1
  end
  return rows
end

-- Return the next idle member and their number (marked busy), or nil when all are busy.
local cursor, busy = 0, {}
function members.next_idle(sessions)
  for _ = 1, #sessions do
    cursor = cursor + 1
    local k = (cursor % #sessions) + 1
    if not busy[k] then
      busy[k] = true
      return sessions[k], k
    end
  end
  return nil
end

-- Read the member number back from an answer's X-Request-Id, mark them idle, return the tag.
function members.release(headers)
  local tag = headers["X-Request-Id"] or headers["x-request-id"] or ""
  local k = tag:match("^s(%d+)%-")
  if k ~= nil then busy[tonumber(k)] = nil end
  return tag
end
