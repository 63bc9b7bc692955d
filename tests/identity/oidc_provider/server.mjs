// A real OpenID provider for the portal's single sign-on tests: panva's oidc-provider (certified by the OpenID
// Foundation), its development sign-in pages, the accounts and the client the test passes in OIDC_TEST_CONFIG:
//   {"port": 45678, "client": {"client_id": ..., "client_secret": ..., "redirect_uris": [...]},
//    "accounts": {"kim": {"email": "kim@corp.example", "groups": ["slm-managers"]}}}
// A person signs in with an account's name as login (any password); the account's name is their sub.
import Provider from "oidc-provider";

const config = JSON.parse(process.env.OIDC_TEST_CONFIG);
const issuer = `http://127.0.0.1:${config.port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      ...config.client,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { methods: ["S256"], required: () => true },
  scopes: ["openid", "email", "profile", "groups"],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "given_name", "family_name"],
    groups: ["groups"],
  },
  // The ID token carries the claims too, as Keycloak and Entra ID send them.
  conformIdTokenClaims: false,
  cookies: { keys: ["test-only-cookie-key"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = config.accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});
provider.proxy = false;
provider.listen(config.port, "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
