import { HubError } from '../errors';
import { parseBatchJobRequest } from './batch-job-request';

function codeOf(body: unknown): string {
  try {
    parseBatchJobRequest(body);
  } catch (err) {
    if (err instanceof HubError) return err.code;
    throw err;
  }
  return 'ok';
}

describe('parseBatchJobRequest', () => {
  it('reads the profile, script, name, dry_run, charge_group and the user_options keys', () => {
    expect(parseBatchJobRequest({ profile: 'p', script: 'echo', account: 'chem', walltime: '01:00:00', dry_run: true, name: 'run-1', charge_group: 'lab-a' })).toEqual({
      profile: 'p',
      script: 'echo',
      name: 'run-1',
      dryRun: true,
      options: { account: 'chem', walltime: '01:00:00' },
      chargeGroup: 'lab-a',
    });
    expect(parseBatchJobRequest({ profile: 'p', script: 'echo' })).toMatchObject({ name: 'batch', dryRun: false, options: {}, chargeGroup: null });
    expect(parseBatchJobRequest({ profile: 'p', script: 'echo', charge_group: null })).toMatchObject({ chargeGroup: null });
  });

  it.each([
    ['not an object', [], 'validation_failed'],
    ['null', null, 'validation_failed'],
    ['an unknown key', { profile: 'p', script: 'x', constraint: 'a' }, 'unknown_field'],
    ['no profile', { script: 'x' }, 'unknown_profile'],
    ['a profile that is not a string', { profile: 1, script: 'x' }, 'validation_failed'],
    ['dry_run not boolean', { profile: 'p', script: 'x', dry_run: 1 }, 'validation_failed'],
    ['a name with a newline', { profile: 'p', script: 'x', name: 'a\nb' }, 'validation_failed'],
    ['a name with a blank', { profile: 'p', script: 'x', name: 'a b' }, 'validation_failed'],
    ['no script', { profile: 'p' }, 'invalid_job_script'],
    ['an empty script', { profile: 'p', script: ' \n' }, 'invalid_job_script'],
    ['a script with NUL', { profile: 'p', script: 'a\0' }, 'invalid_job_script'],
    ['a too long script', { profile: 'p', script: 'x'.repeat(65_537) }, 'invalid_job_script'],
    ['a directive line', { profile: 'p', script: 'echo\n#SBATCH --uid=0' }, 'invalid_job_script'],
    ['an empty charge_group', { profile: 'p', script: 'x', charge_group: '' }, 'invalid_charge_group'],
    ['a charge_group that is not a string', { profile: 'p', script: 'x', charge_group: ['lab-a'] }, 'invalid_charge_group'],
  ])('refuses %s', (_label, body, code) => {
    expect(codeOf(body)).toBe(code);
  });

  it('names the directive line in the message and details', () => {
    try {
      parseBatchJobRequest({ profile: 'p', script: 'a\nb\n #SBATCH -p gpu' });
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(HubError);
      expect((err as HubError).message).toMatch(/^Line 3 of the script is a scheduler directive/);
      expect((err as HubError).options.details).toEqual({ field: 'script', line: 3 });
    }
  });
});
