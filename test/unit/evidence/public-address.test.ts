import { describe, expect, it } from 'vitest';
import { checkedLookup, isPublicAddress, privateHostProblem } from '#shared/evidence/public-address.ts';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.5',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.251',
    '239.255.255.250',
    '255.255.255.255',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    '2002:a00:1::1',
    'not-an-address',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '11.0.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('allows %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('privateHostProblem', () => {
  it.each([
    'localhost',
    'LOCALHOST.',
    'admin.localhost',
    'db.internal',
    'printer.local',
    '[::1]',
    '10.1.2.3',
  ])('refuses %s', (host) => {
    expect(privateHostProblem(host)).toMatch(/not a vendor's public website/);
  });

  it.each(['www.vendor.example', 'localhost.vendor.example', 'internal.vendor.example', '93.184.216.34'])(
    'lets %s be tried',
    (host) => {
      expect(privateHostProblem(host)).toBeUndefined();
    },
  );
});

describe('checkedLookup', () => {
  const lookupWith = (addresses: string[]) =>
    checkedLookup(async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

  it('answers every checked address when node asks for all (autoSelectFamily), else the first', async () => {
    const lookup = lookupWith(['93.184.216.34', '2606:4700:4700::1111']);
    const all = await new Promise((resolve, reject) =>
      lookup('vendor.example', { all: true }, (error, addresses) =>
        error ? reject(error) : resolve(addresses),
      ),
    );
    expect(all).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:4700:4700::1111', family: 6 },
    ]);
    const one = await new Promise((resolve, reject) =>
      lookup('vendor.example', {}, (error, address, family) =>
        error ? reject(error) : resolve([address, family]),
      ),
    );
    expect(one).toEqual(['93.184.216.34', 4]);
  });

  it('refuses the name when an answer is private, naming the address', async () => {
    const lookup = lookupWith(['93.184.216.34', '169.254.169.254']);
    const error = await new Promise((resolve) => lookup('vendor.example', { all: true }, (e) => resolve(e)));
    expect(error).toMatchObject({ name: 'PrivateAddressError', address: '169.254.169.254' });
  });
});
