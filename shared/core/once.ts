/**
 * A value built on first use, then reused for the Lambda container's life: handlers build their
 * clients and read their configuration once (failing fast, naming the variable), while tests import
 * the module without any environment and pass their own dependencies.
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
