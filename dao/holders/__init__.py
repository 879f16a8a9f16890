"""What contributors and holders do: contribute, claim shares and dividends, read the DAO's status."""
