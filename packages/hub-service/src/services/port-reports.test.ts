import { PortReports } from './port-reports';

describe('PortReports', () => {
  it('hands a report to the start waiting for it, also when it came first', async () => {
    const reports = new PortReports();
    reports.expect(1);
    reports.expect(2);
    const waiting = reports.wait(1, new AbortController().signal);
    expect(reports.report(1, 50001)).toBe(true);
    await expect(waiting).resolves.toBe(50001);
    expect(reports.report(2, 50002)).toBe(true);
    await expect(reports.wait(2, new AbortController().signal)).resolves.toBe(50002);
  });

  it('refuses reports for servers that are not starting, and after the start ended', () => {
    const reports = new PortReports();
    expect(reports.report(7, 1234)).toBe(false);
    reports.expect(7);
    reports.forget(7);
    expect(reports.report(7, 1234)).toBe(false);
  });

  it('a cancelled start stops waiting with the reason', async () => {
    const reports = new PortReports();
    reports.expect(3);
    const abort = new AbortController();
    const waiting = reports.wait(3, abort.signal);
    abort.abort(new Error('cancelled by the user'));
    await expect(waiting).rejects.toThrow('cancelled by the user');
  });
});
