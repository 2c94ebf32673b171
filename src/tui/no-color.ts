import chalk from 'chalk';

/**
 * NO_COLOR (https://no-color.org): set and not empty, headroom's screens carry no colour even on
 * a terminal. Ink colours through chalk, which already drops colour off a terminal and follows
 * FORCE_COLOR but does not read NO_COLOR. Every renderer imports this module before Ink renders.
 */
if (process.env.NO_COLOR && !process.env.FORCE_COLOR) chalk.level = 0;
