"""`ape console` starts with the deployed DAO loaded as `dao`.

ape console --network ethereum:local:node
>>> dao.shares, dao.governor, dao.settlement.current_epoch()
>>> dao.show()                      # the proposals table; dao.proposals() for the objects
>>> dao.propose_retrain("recipe.json", "TEST::2", note="halve the emission")
>>> dao.vote(proposal_id, "for", "TEST::3")
"""


def ape_init_extras(networks):
    from dao.errors import DaoError
    from governance.console import GovernedDAO

    if networks.active_provider is None:
        return {"dao": None}
    try:
        dao = GovernedDAO.load()
    except DaoError as exc:
        print(f"dao: not loaded: {exc}")
        return {"dao": None}
    print(f"dao: {dao!r} (try dao.show(), dao.proposals(), dao.vote(...))")
    return {"dao": dao}
