-- wrk script: GET with the Bearer token from BENCH_TOKEN (path given on wrk's command line).
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
wrk.headers["Accept"] = "application/json"
