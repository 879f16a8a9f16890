// Local chain for `dao node start`: ape's default test mnemonic so that ape's
// TEST:: accounts are funded, cancun like ape's in-process provider.
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: "cancun",
      accounts: {
        mnemonic: "test test test test test test test test test test test junk",
        count: 10,
        accountsBalance: "1000000000000000000000000",
      },
    },
  },
};
