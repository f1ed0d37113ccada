import '#shared/runtime/promise-with-resolvers.ts';
