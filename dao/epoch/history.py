"""What the DAO saw before an epoch: the history that provenance traces rows to (issue 18).

A reader of the chain and of the published reports, shared by the operator's run
(`dao.epoch.pipeline`) and `dao verify` (which must not import the operator pipeline), so both
gather the same list.

Everything ever revealed counts, not only what was paid: every report ever committed revealed
its hold-out set, whether the epoch then became final or was voided (a challenge upheld without a
re-commit, the guardian, an unjudged challenge), and `reopen()` restarts the same recipe, so the
same hold-out; and every registration revealed its data set's CID, so a voided epoch's data sets
are history too, owned by the first to reveal them (they were never paid: that owner keeps its
rows when it brings them again, a copier's rows are traced to it), and so are a final epoch's
data sets that its report rejected (stranger review 2: a rejection for an unreachable file or a
far anchor says nothing against the rows, and their CID was public). Voiding clears the report CID
from the epoch's storage, so committed reports are read from the `EpochCommitted` events, which
persist.
"""

from __future__ import annotations

from collections import defaultdict

from dao.chain.cids import cid_text
from dao.chain.cids import report_cid as report_cid_of
from dao.chain.enums import ContributionKind, EpochStatus
from dao.epoch.valuation import EpochError, HistoryRef, read_contributions
from dao.storage.errors import ContentNotFound
from valuation.report import ValuationReport


def committed_reports(dao, before: int) -> dict[int, list[str]]:
    """{epoch: the CIDs of every report committed for it, in commit order} for epochs < `before`,
    from the `EpochCommitted` events (a voided or upheld-against report included)."""
    found: dict[int, list[str]] = defaultdict(list)
    records = {earlier: dao.settlement.epochs(earlier) for earlier in range(1, before)}
    # An epoch's record counts its reports (`round`) and holds the standing one. Only a report that
    # stopped standing (re-committed after an upheld challenge, or cleared by a void) is known from
    # the events alone; the in-process chain answers an event query by decoding every block since
    # the deployment, so the events are read only when some earlier epoch had such a report.
    if all(int(r.round) == 0 or (int(r.round) == 1 and report_cid_of(r)) for r in records.values()):
        for earlier, record in records.items():
            if int(record.round) == 1:
                found[earlier].append(report_cid_of(record))
        return found
    return reports_from_events(dao, before)


def reports_from_events(dao, before: int) -> dict[int, list[str]]:
    """`committed_reports` read from the `EpochCommitted` events alone."""
    from ape import chain

    found: dict[int, list[str]] = defaultdict(list)
    for log in dao.settlement.EpochCommitted.range(dao.deployment.block, chain.blocks.height + 1):
        epoch = int(log.event_arguments["epoch"])
        cid = cid_text(int(log.event_arguments["report_codec"]), bytes(log.event_arguments["report_digest"]))
        if epoch < before and cid not in found[epoch]:
            found[epoch].append(cid)
    return found


def _read_report(storage, cid: str, earlier: int, epoch: int, required: bool) -> ValuationReport | None:
    """A committed report, or None when it is not `required` and cannot be found: a report that was
    voided or upheld against and that nobody can fetch revealed nothing to anyone, and an earlier
    operator must not be able to stop every later epoch by committing an unavailable CID."""
    try:
        return ValuationReport.from_json(storage.get(cid))
    except ContentNotFound:
        if not required:
            return None
        raise EpochError(
            f"epoch {earlier}'s report {cid} cannot be found; the provenance of epoch {epoch}'s rows "
            "needs it: nothing was committed, restore the report and run again"
        ) from None
    except Exception as exc:
        raise EpochError(
            f"epoch {earlier}'s report {cid} cannot be read ({exc}); the provenance of epoch {epoch}'s "
            "rows needs it: nothing was committed, restore the report and run again"
        ) from exc


def gather_history(dao, storage, epoch: int) -> list[HistoryRef]:
    """What the DAO saw before `epoch`, oldest first. Per earlier epoch: the hold-out set revealed
    by each report ever committed for it (the DAO's own: nobody is credited; each set once), then
    its data sets: if the epoch is final, every data set the final report names, in commit order,
    credited to the account that committed it (marked unpaid when the report rejected it); if it
    was voided, every data set registered for it, in commit order, credited to its registrant and
    marked unpaid. Unpaid sources that cannot be read are skipped by `read_history`, so a lost
    rejected file never stops a later epoch.

    A function of the chain and the published reports only, so `dao verify` gathers the same list;
    and a fixed one: an epoch opens only once the one before is final or void, both for good."""
    refs: list[HistoryRef] = []
    holdouts: set[str] = set()
    reports = committed_reports(dao, epoch)
    for earlier in range(1, epoch):
        record = dao.settlement.epochs(earlier)
        status, standing = int(record.status), report_cid_of(record)
        final: ValuationReport | None = None
        for cid in reports.get(earlier, []):
            required = status == EpochStatus.FINAL and cid == standing
            report = _read_report(storage, cid, earlier, epoch, required)
            if report is None:
                continue
            if cid == standing:
                final = report
            validation_cid = report.inputs.get("validation_cid")
            if validation_cid and validation_cid not in holdouts:
                holdouts.add(validation_cid)
                name = f"epoch {earlier} hold-out"
                while any(ref.name == name for ref in refs):  # rounds that revealed different sets
                    name += "'"
                refs.append(HistoryRef(name, validation_cid, None))
        if status == EpochStatus.FINAL and final is not None:
            # Every data set the final report names was registered, so revealed: the accepted ones
            # paid, the rejected ones (unretrievable for a while, far from that anchor, ...) unpaid
            # and still their registrant's, as a voided epoch's. In commit order, after everything
            # earlier, so a copy rejected here never comes before the rows it copied.
            for c in final.inputs.get("contributions", []):
                if int(c["kind"]) == ContributionKind.DATA:
                    paid = str(c["id"]) not in final.rejected
                    refs.append(HistoryRef(f"epoch {earlier} #{c['id']}", c["cid"], c["contributor"], paid))
        elif status == EpochStatus.VOID:
            for c in read_contributions(dao, earlier):
                if int(c.kind) == ContributionKind.DATA:
                    refs.append(HistoryRef(f"epoch {earlier} #{c.id}", c.cid, c.contributor, paid=False))
    return refs
