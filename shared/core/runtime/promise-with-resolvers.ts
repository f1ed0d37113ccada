// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks (Lambda's nodejs24.x has it).
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers<T>() {
    let resolve!: (v: T | PromiseLike<T>) => void;
    let reject!: (e?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  } as typeof Promise.withResolvers;
}
