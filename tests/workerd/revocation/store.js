// The worker that owns the store's Durable Objects: the class comes from the package.
export { StoreObject } from "tollgate";

export default {
  fetch() {
    return new Response("store", { status: 404 });
  },
};
