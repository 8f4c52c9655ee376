import { BuiltinProxy } from './builtin/builtin-proxy';
import { describeProxyContract } from './proxy.contract';

describeProxyContract('builtin', async () => {
  const proxy = new BuiltinProxy({ ip: '127.0.0.1', port: 0 });
  await proxy.start();
  return { proxy, publicUrl: `http://127.0.0.1:${proxy.port}`, teardown: () => proxy.stop() };
});
