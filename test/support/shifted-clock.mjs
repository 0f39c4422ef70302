// Test-only preload (`node --import <this file>`): shifts Date.now() and `new Date()` by
// TROVE_TEST_CLOCK_SHIFT_MS milliseconds, so that a Trove started with it records its events on
// another day. The product has no test clock; only tests pass this file to the server process.
const shift = Number(process.env.TROVE_TEST_CLOCK_SHIFT_MS ?? 0);
const RealDate = Date;

class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + shift);
    else super(...args);
  }

  static now() {
    return RealDate.now() + shift;
  }
}

globalThis.Date = ShiftedDate;
