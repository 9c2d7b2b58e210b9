// The worker that owns the replay Durable Objects: the class comes from the package.
export { ReplayGuardObject } from "tollgate";

export default {
  fetch() {
    return new Response("replay store", { status: 404 });
  },
};
