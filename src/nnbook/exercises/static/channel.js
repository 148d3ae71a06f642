// The exercises' line to the kernel (nnbook.exercises._channel.ExerciseChannel): in a live
// notebook, "New numbers" keeps drawing variants from Python once the page's own run out.
// Shown once per notebook, invisible; the boxes find it as `.nnbook-ex-channel` in their
// notebook. On the built page there is no kernel: nobody answers the hello, so the answer boxes
// keep to their precomputed variants.
export default {
  render({ model, el }) {
    el.classList.add("nnbook-ex-channel", "jupyter-widgets");  // a rendered widget, as the explorers mark theirs
    const waiting = new Map();
    let next = 0;
    const channel = {
      live: false,
      variant(id, after) {
        return new Promise((resolve, reject) => {
          const req = ++next;
          waiting.set(req, { resolve, reject });
          try { model.send({ type: "variant", id, after, req }); } catch (e) { waiting.delete(req); reject(e); return; }
          setTimeout(() => { if (waiting.delete(req)) reject(new Error("the kernel did not answer")); }, 30000);
        });
      },
    };
    const answer = (msg) => {
      if (!msg || typeof msg !== "object") return;
      if (msg.type === "hello") { channel.live = true; return; }
      const pending = waiting.get(msg.req);
      if (msg.type !== "variant" || !pending) return;
      waiting.delete(msg.req);
      if (msg.error) pending.reject(new Error(msg.error)); else pending.resolve(msg.data);
    };
    model.on("msg:custom", answer);
    // Found by the answer boxes of the same notebook through this element (when render runs,
    // the element may not be in the page yet, so it cannot look for its notebook itself).
    el.nnbookKernel = channel;
    // Say hello until Python answers (a busy kernel may take a while), for a minute at most.
    let tries = 0;
    const hello = () => {
      if (channel.live || ++tries > 60) return clearInterval(timer);
      try { model.send({ type: "hello" }); } catch (e) { /* no kernel: the built page */ }
    };
    const timer = setInterval(hello, 1000);
    hello();
    return () => {
      clearInterval(timer);
      model.off("msg:custom", answer);
      delete el.nnbookKernel;
    };
  },
};
