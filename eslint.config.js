// ESLint for assetmap's own scripts (assetmap/static/js): one style for all of them.
// Run by scripts/lint-js.sh, which `make lint` calls; vendored files are not ours to restyle.
"use strict";

const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  { ignores: ["assetmap/static/vendor/**", "node_modules/**", "tests/**"] },
  js.configs.recommended,
  {
    files: ["assetmap/static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: {
        ...globals.browser,
        L: "readonly",
        assetmapMap: "readonly",
      },
    },
    rules: {
      "no-var": "error",
      "prefer-const": "error",
      "prefer-arrow-callback": "error",
      "arrow-body-style": ["error", "as-needed"],
      "object-shorthand": "error",
      "prefer-template": "error",
      eqeqeq: "error",
      strict: ["error", "function"],
      curly: "error",
      "no-implicit-globals": "error",
      "no-unused-vars": ["error", { caughtErrors: "none" }],
    },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
  {
    // The service worker, and the outbox it shares with pages through importScripts.
    files: ["assetmap/static/js/offline-worker.js", "assetmap/static/js/offline-store.js"],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
  {
    files: ["assetmap/static/js/offline.js"],
    languageOptions: { globals: { assetmapOutbox: "readonly" } },
  },
  {
    files: ["assetmap/static/js/govuk-init.js"],
    languageOptions: { sourceType: "module" },
    rules: { strict: "off" },
  },
];
