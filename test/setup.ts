import '#shared/core/runtime/promise-with-resolvers.ts';
