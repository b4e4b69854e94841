/**
 * The published version. A constant rather than a read of package.json: the command runs both from dist/ and
 * from the bundle, at different depths, and reading a file costs start-up time. test/install.test.ts checks it
 * against the version of the packed package, so the two cannot drift apart unnoticed.
 */
export const VERSION = '0.1.0';

/** The npm package users install and run; every help example and printed config names it. */
export const PACKAGE_NAME = '@switchboard-mcp/cli';
