// Preloaded into Continue's CLI for the screen comparisons (NODE_OPTIONS=--require): cn shows a
// tip under its banner when Math.random() < 0.2, and has no setting to turn tips off, so two runs
// would differ by chance. Here Math.random draws from [0.2, 1): no tip, in either run.
const draw = Math.random;
Math.random = () => 0.2 + 0.8 * draw();
