/** Jest globalSetup: refuse to run against a dist/ older than its sources (stale-build.js). */
'use strict';
const path = require('node:path');
const { staleOutputs, staleMessage } = require('./stale-build');

module.exports = async function globalSetup() {
  const stale = staleOutputs(path.resolve(__dirname, '..', '..'));
  if (stale.length > 0) throw new Error(staleMessage(stale));
};
