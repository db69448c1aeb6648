import express from 'express';
import { describe, expect, it } from 'vitest';
import { assertSafeToListen, isLoopback, requireAuth } from '../../src/dashboard/dashboard-auth.js';
import { escapeHtml, html, SafeHtml } from '../../src/dashboard/html.js';
import { hostAllowed, hostName, isSameOrigin } from '../../src/dashboard/request-guards.js';
import { ConfigError } from '../../src/errors/polyglyph-error.js';

describe('html', () => {
  it('escapes every interpolated value, so a manifest name or an API message cannot inject markup', () => {
    const name = '<script>alert("x")</script>&\'';
    expect(html`<td>${name}</td>`.value).toBe('<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</td>');
    expect(html`<a href="/runs/${'" onmouseover="x'}">`.value).toBe('<a href="/runs/&quot; onmouseover=&quot;x">');
  });

  it('keeps SafeHtml, joins arrays, and renders undefined, null and false as nothing', () => {
    const items = ['a<', 'b'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${false}${undefined}${null}${0}`.value).toBe('<ul><li>a&lt;</li><li>b</li></ul>0');
    expect(html`${new SafeHtml('<b>')}`.value).toBe('<b>');
    expect(escapeHtml('plain')).toBe('plain');
  });
});

describe('dashboard authentication', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'dashboard.internal', '128.0.0.1', '127.example.com']) expect(isLoopback(host), host).toBe(false);
  });

  it('refuses to listen beyond loopback without credentials, and says how to fix it', () => {
    expect(() => assertSafeToListen('0.0.0.0', {})).toThrow(ConfigError);
    expect(() => assertSafeToListen('0.0.0.0', {})).toThrow(/without authentication/);
    expect(() => assertSafeToListen('0.0.0.0', { token: 't'.repeat(16) })).not.toThrow();
    expect(() => assertSafeToListen('0.0.0.0', { user: 'admin', password: 'p'.repeat(12) })).not.toThrow();
    expect(() => assertSafeToListen('127.0.0.1', {})).not.toThrow();
  });

  it('accepts the token as bearer or basic password, the user with the password, and nothing else', async () => {
    const app = express()
      .use(requireAuth({ token: 'token-0123456789abcdef', user: 'ops', password: 'password-1234' }))
      .get('/', (_request, response) => void response.send('in'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    const status = async (authorization?: string): Promise<number> => (await fetch(`http://127.0.0.1:${port}/`, { headers: authorization ? { authorization } : {} })).status;
    const basic = (credentials: string): string => `Basic ${Buffer.from(credentials).toString('base64')}`;
    try {
      expect(await status('Bearer token-0123456789abcdef')).toBe(200);
      expect(await status('bearer token-0123456789abcdef')).toBe(200);
      expect(await status(basic('anyone:token-0123456789abcdef'))).toBe(200);
      expect(await status(basic('ops:password-1234'))).toBe(200);
      // A password may contain colons; the user may not.
      expect(await status(basic('admin:password-1234'))).toBe(401);
      expect(await status(basic('ops:password-12345'))).toBe(401);
      expect(await status(basic('ops'))).toBe(401);
      expect(await status('Bearer password-1234')).toBe(401);
      expect(await status('Digest x')).toBe(401);
      expect(await status()).toBe(401);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('dashboard request guards', () => {
  it('reads the host name out of a Host header', () => {
    expect(hostName('127.0.0.1:3000')).toBe('127.0.0.1');
    expect(hostName('[::1]:3000')).toBe('::1');
    expect(hostName('Example.COM')).toBe('example.com');
    expect(hostName('::1')).toBe('::1');
    expect(hostName('')).toBe('');
  });

  it('allows loopback, the listen host and the allow-list, nothing else', () => {
    const allowed = hostAllowed({ listenHost: 'dash.lan', allowedHosts: ['proxy.example.com'] });
    for (const host of ['127.0.0.1', '127.0.0.9', 'localhost', '::1', 'dash.lan', 'proxy.example.com']) expect(allowed(host), host).toBe(true);
    for (const host of ['attacker.example', 'localhost.attacker.example', '127.0.0.1.nip.io', '', '0.0.0.0']) expect(allowed(host), host).toBe(false);
  });

  it('counts only same-origin fetch metadata, or an Origin naming the Host, as same origin', () => {
    expect(isSameOrigin('same-origin', undefined, 'h:1')).toBe(true);
    expect(isSameOrigin('same-site', 'http://h:1', 'h:1')).toBe(false);
    expect(isSameOrigin('cross-site', 'http://h:1', 'h:1')).toBe(false);
    expect(isSameOrigin('none', undefined, 'h:1')).toBe(false);
    expect(isSameOrigin(undefined, 'http://h:1', 'h:1')).toBe(true);
    expect(isSameOrigin(undefined, 'https://H:1', 'h:1')).toBe(true);
    expect(isSameOrigin(undefined, 'http://evil:1', 'h:1')).toBe(false);
    expect(isSameOrigin(undefined, 'null', 'h:1')).toBe(false);
    expect(isSameOrigin(undefined, undefined, 'h:1')).toBe(false);
  });
});
