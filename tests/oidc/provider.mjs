// A real OpenID Connect provider (the npm package oidc-provider) for the sign-in tests.
//
//   PORT=4567 OIDC_CLIENTS='[...]' OIDC_ACCOUNTS='{...}' node provider.mjs
//
// OIDC_CLIENTS: oidc-provider client metadata (client_id, client_secret, redirect_uris, …).
// OIDC_ACCOUNTS: {"<sub>": {"email": …, "name": …}}; any password signs an account in.
// Any other login is an account too: "anna@example.org" gets that e-mail, "anna" gets
// anna@example.org. Redirects back to loopback addresses (the app under test) are allowed
// whatever their path, so that every test app can use the same registered client.
// Prints "ready <issuer>" on stdout once it accepts connections.
//
// The sign-in page is the package's development interaction (a form that posts
// `login` and `password`). Consent is pre-granted, as an organisation's own provider
// does for an application its administrator has registered.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 0);
const host = '127.0.0.1';
const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]');
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');

function issuerFor(listeningPort) {
  return `http://${host}:${listeningPort}`;
}

const configuration = {
  clients,
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  cookies: { keys: ['etaaika-test-provider-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, sub) {
    const account = accounts[sub] || {
      email: sub.includes('@') ? sub : `${sub}@example.org`,
      name: sub,
    };
    return {
      accountId: sub,
      async claims() {
        return { sub, email_verified: true, ...account };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['sub', 'email', 'email_verified', 'name']);
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuerFor(port), configuration);
const registered = provider.Client.prototype.redirectUriAllowed;
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(uri) {
  const { hostname } = new URL(uri);
  return ['localhost', '127.0.0.1'].includes(hostname) || registered.call(this, uri);
};
const server = provider.listen(port, host, () => {
  process.stdout.write(`ready ${issuerFor(server.address().port)}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
