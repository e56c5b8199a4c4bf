// oidc-provider ships no types; the benchmark uses only its constructor and listen().
declare module 'oidc-provider';
