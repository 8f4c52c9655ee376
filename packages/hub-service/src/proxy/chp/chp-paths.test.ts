import { chpPathToRoutespec, chpRouteApiPath, routespecToChpPath } from './chp-paths';

describe('CHP path conversion', () => {
  it('strips and restores the trailing slash', () => {
    expect(routespecToChpPath('/')).toBe('/');
    expect(routespecToChpPath('/user/alice/')).toBe('/user/alice');
    expect(chpPathToRoutespec('/')).toBe('/');
    expect(chpPathToRoutespec('/user/alice')).toBe('/user/alice/');
    expect(chpPathToRoutespec('/user/al ice')).toBe('/user/al ice/');
  });

  it('percent-encodes each segment of the API path', () => {
    expect(chpRouteApiPath('/')).toBe('/api/routes/');
    expect(chpRouteApiPath('/user/alice/gpu/')).toBe('/api/routes/user/alice/gpu');
    expect(chpRouteApiPath('/user/al ice/')).toBe('/api/routes/user/al%20ice');
    expect(chpRouteApiPath('/user/jürgen@x/')).toBe('/api/routes/user/j%C3%BCrgen%40x');
  });
});
