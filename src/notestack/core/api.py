"""Where the versioned API lives. Each domain router carries the whole prefix, so a route's
own template (``scope["route"].path_format``) is its full path: what metrics and logs show."""

API_PREFIX = "/api/v1"
