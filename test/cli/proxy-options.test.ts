import { describe, expect, it } from 'vitest';
import { proxyOptions } from '../../src/cli/proxy-options.js';

describe('proxy options: --verify and --holdout', () => {
  it('are off by default, and read from flags or HEADROOM_VERIFY / HEADROOM_HOLDOUT', () => {
    expect(proxyOptions({}, {})).not.toHaveProperty('verify');
    expect(proxyOptions({}, {})).not.toHaveProperty('holdout');
    expect(proxyOptions({ verify: true, holdout: '10' }, {})).toMatchObject({ verify: true, holdout: 10 });
    expect(proxyOptions({}, { HEADROOM_VERIFY: '1', HEADROOM_HOLDOUT: '2.5' })).toMatchObject({ verify: true, holdout: 2.5 });
  });

  it('refuses a holdout that is not a percentage', () => {
    expect(() => proxyOptions({ holdout: '150' }, {})).toThrow(/--holdout must be a percentage from 0 to 100, got "150"/);
  });
});
