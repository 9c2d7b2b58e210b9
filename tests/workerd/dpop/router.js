// The test's front door: sends a request, unchanged (same URL, so the same DPoP htu), to
// isolate A or B by its X-Isolate header. /health answers here.
export default {
  fetch(request, env) {
    if (new URL(request.url).pathname === "/health") return new Response("ok");
    return (request.headers.get("x-isolate") === "b" ? env.B : env.A).fetch(request);
  },
};
