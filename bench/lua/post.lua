-- wrk script: POST a note (JSON body) with the Bearer token from BENCH_TOKEN.
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.body = '{"title":"bench note","description":"written by make bench","status":"Pending","priority":"Low"}'
