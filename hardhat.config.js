// Local chain for `dao node start`: ape's default test mnemonic so that ape's
// TEST:: accounts are funded, cancun like ape's in-process provider.
const { extendProvider } = require("hardhat/config");
const { ProviderWrapper } = require("hardhat/plugins");

// Hardhat answers eth_mining with false even while it automines; ape reads that as manual
// mining and returns placeholder receipts (no contract address, block -1). Report the truth.
class AutomineAwareProvider extends ProviderWrapper {
  async request(args) {
    if (args.method === "eth_mining") {
      return this._wrappedProvider.request({ method: "hardhat_getAutomine", params: [] });
    }
    return this._wrappedProvider.request(args);
  }
}

extendProvider(async (provider) => new AutomineAwareProvider(provider));

module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: "cancun",
      accounts: {
        mnemonic: "test test test test test test test test test test test junk",
        count: 20,
        accountsBalance: "1000000000000000000000000",
      },
    },
  },
};
