"""Parse, check and deploy diagrams as immutable versions; hand out parsed specs cached by content hash."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from sqlalchemy import bindparam, event, func, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.definitions import facts, forms, lint
from engine.people import directory as reference
from engine.i18n import N_
from engine.errors import DeployError, NotFound, Problem
from engine.models import ProcessVersion, Role, User


@dataclass
class Checked:
    """A diagram that passed every check, ready to store or run."""

    process_key: str  # the key the procedure is known by here (the process id unless a working copy says otherwise)
    name: str
    xml: str
    forms: dict[str, dict]
    lane_roles: dict[str, str]
    start_lane: str | None
    sha256: str
    problems: list[Problem] = field(default_factory=list)
    dependencies: list[int] = field(default_factory=list)
    process_id: str = ""  # the executable process's id inside the diagram


def _parser(xml: bytes, extra: list[str] = ()) -> SpiffBpmnParser:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(xml)
    for other in extra:
        parser.add_bpmn_str(other.encode("utf-8"))
    return parser


def _engine_problem(err: Exception) -> Problem:
    element_id = getattr(err, "id", None) or None
    text = str(err).split("\n")[0]
    return Problem(element_id, N_("流程引擎无法加载此图：%(text)s", text=text))


def called_elements(root) -> set[str]:
    return {node.get("calledElement") for node in root.iter(f"{{{lint.NS['bpmn']}}}callActivity")
            if node.get("calledElement")}


def _own_process_ids(root) -> set[str]:
    return {node.get("id") for node in root.iter(f"{{{lint.NS['bpmn']}}}process")}


def check(xml: str | bytes, form_files: dict[str, dict | None], roles: dict[str, str],
          called: dict[str, ProcessVersion] | None = None, previous: dict[str, str] | None = None,
          key: str | None = None) -> Checked:
    """Run every deploy check; `roles` maps role name (lane name) to role key, `called` gives the deployed
    versions of processes this one calls, `previous` the latest deployed diagram (XML) of each process it may be a
    new version of: a new version keeps the elements the procedures' records depend on (engine.definitions.facts).
    Problems are collected, not raised."""
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    result = Checked("", "", raw.decode("utf-8", "replace"), {}, {}, None, hashlib.sha256(raw).hexdigest())
    try:
        root = etree.fromstring(raw)
    except etree.XMLSyntaxError as err:
        result.problems.append(Problem(None, N_("文件不是有效的 XML：%(error)s（第 %(line)s 行）", error=err.msg,
                                                line=err.lineno)))
        return result
    dependencies: list[ProcessVersion] = []
    for node in root.iter(f"{{{lint.NS['bpmn']}}}callActivity"):
        callee = node.get("calledElement")
        if not callee or callee in _own_process_ids(root):
            continue
        target = (called or {}).get(callee)
        if target is None:
            result.problems.append(Problem(node.get("id"), N_("调用的流程 %(key)s 尚未发布：请先发布它", key=callee)))
        elif target not in dependencies:
            dependencies.append(target)
    for nested in (called or {}).values():  # what the called processes call in turn (see called_versions)
        if nested not in dependencies and any(nested.id in (dep.dependencies or []) for dep in dependencies):
            dependencies.append(nested)
    if result.problems:
        return result
    try:
        parser = _parser(raw, [dep.bpmn_xml for dep in dependencies])
    except (ValidationException, SpiffWorkflowException) as err:
        result.problems.append(_engine_problem(err))
        return result
    executable = [pid for pid in parser.get_process_ids() if pid in _own_process_ids(root)]
    if not executable:
        result.problems.append(Problem(None, N_("图中没有可执行的流程（流程的 isExecutable 不是 true），只能查看，不能运行")))
        return result
    if len(executable) > 1:
        result.problems.append(Problem(None, N_("一个文件只能包含一个可执行流程，现有 %(n)s 个：%(ids)s", n=len(executable),
                                                ids="、".join(executable))))
        return result
    result.process_id = executable[0]
    result.process_key = key or executable[0]
    process_node = root.find(f"{{{lint.NS['bpmn']}}}process[@id='{result.process_id}']")
    result.name = (process_node.get("name") if process_node is not None else None) or result.process_key
    result.problems.extend(lint.check(root, form_files, set(roles), set(roles.values())))
    before = (previous or {}).get(result.process_key)
    result.problems.extend(facts.problems(root, result.process_key,
                                          etree.fromstring(before.encode("utf-8")) if before else None))
    try:
        spec = parser.get_spec(result.process_id)
        parser.get_subprocess_specs(result.process_id)
    except (ValidationException, SpiffWorkflowException) as err:
        result.problems.append(_engine_problem(err))
        return result
    result.lane_roles = {name: roles[name] for name in _lanes(root) if name in roles}
    result.start_lane = spec.task_specs[spec.start.outputs[0].name].lane if spec.start.outputs else None
    result.forms = {path: schema for path, schema in form_files.items() if schema is not None}
    for dep in dependencies:  # a called diagram's lanes and forms travel with the caller's version
        result.lane_roles = {**dep.lane_roles, **result.lane_roles}
        result.forms = {**dep.forms, **result.forms}
    result.dependencies = [dep.id for dep in dependencies]
    digest = hashlib.sha256(raw)
    for dep in dependencies:
        digest.update(dep.sha256.encode())
    digest.update(json.dumps(result.forms, sort_keys=True, ensure_ascii=False).encode())
    result.sha256 = digest.hexdigest()
    return result


def _lanes(root) -> list[str]:
    return [lane.get("name") or "" for lane in root.iter(f"{{{lint.NS['bpmn']}}}lane")]


def role_names(session: Session) -> dict[str, str]:
    return {name: key for key, name in session.execute(select(Role.key, Role.name))}


def called_versions(session: Session, root) -> dict[str, ProcessVersion]:
    """Latest deployed versions of the processes a diagram calls (those not deployed are left out)."""
    found = {}
    for key in called_elements(root) - _own_process_ids(root):
        version = _latest_or_none(session, key) or _latest_by_process_id(session, key)
        if version is not None:
            found[key] = version
    for version in list(found.values()):  # and what those call, which their parser needs too
        for dep_id in version.dependencies or []:
            nested = session.get(ProcessVersion, dep_id)
            if nested is not None and nested not in found.values():
                found[f"#{dep_id}"] = nested
    return found


def _latest_by_process_id(session: Session, process_id: str) -> ProcessVersion | None:
    """A procedure imported under a key of its own is still called by the process id inside its diagram."""
    for version in latest_versions(session):
        if version.process_key != process_id and process_id in _own_process_ids(
                etree.fromstring(version.bpmn_xml.encode("utf-8"))):
            return version
    return None


def previous_versions(session: Session, root) -> dict[str, str]:
    """The latest deployed diagram (XML) of each process the diagram defines: what a new version is checked against."""
    found = {}
    for key in _own_process_ids(root):
        version = _latest_or_none(session, key)
        if version is not None:
            found[key] = version.bpmn_xml
    return found


def check_file(session: Session, path: Path, base_dir: Path) -> Checked:
    raw = path.read_bytes()
    try:
        root = etree.fromstring(raw)
    except etree.XMLSyntaxError:
        return check(raw, {}, {})
    return check(raw, forms.load_files(lint.form_paths(root), base_dir), role_names(session),
                 called_versions(session, root), previous_versions(session, root))


def store(session: Session, checked: Checked, actor: User | None) -> ProcessVersion:
    """Save a checked diagram as the next version; an unchanged diagram returns the version it already is."""
    if checked.problems:
        raise DeployError(checked.problems)
    latest = _latest_or_none(session, checked.process_key)
    if latest is not None and latest.sha256 == checked.sha256:
        return latest
    version = ProcessVersion(
        process_key=checked.process_key, version=(latest.version + 1) if latest else 1, name=checked.name,
        bpmn_xml=checked.xml, sha256=checked.sha256, forms=checked.forms, lane_roles=checked.lane_roles,
        start_lane=checked.start_lane, deployed_by_id=actor.id if actor else None,
        dependencies=checked.dependencies,
    )
    session.add(version)
    session.flush()
    session.info.pop(_LATEST, None)  # this transaction now sees a newer version
    return version


def deploy_file(session: Session, path: str | Path, actor: User | None = None, base_dir: str | Path | None = None):
    path = Path(path)
    return store(session, check_file(session, path, Path(base_dir or path.parent)), actor)


def deploy_directory(session: Session, directory: str | Path = "processes", actor: User | None = None):
    """Deploy the roles the lanes name, then every diagram of the folder."""
    directory = Path(directory)
    if (directory / "roles.json").exists():
        reference.load_roles(session, directory)
    return [deploy_file(session, path, actor, directory) for path in _callees_first(directory.glob("*.bpmn"))]


def _callees_first(paths) -> list[Path]:
    """Order files so that a called process is deployed before its callers."""
    provides, needs = {}, {}
    for path in sorted(paths):
        try:
            root = etree.parse(str(path)).getroot()
        except etree.XMLSyntaxError:
            root = None
        provides[path] = _own_process_ids(root) if root is not None else set()
        needs[path] = (called_elements(root) - provides[path]) if root is not None else set()
    ordered: list[Path] = []
    while len(ordered) < len(provides):
        done = set().union(*(provides[p] for p in ordered)) if ordered else set()
        ready = [p for p in provides if p not in ordered and needs[p] <= done | _unprovided(needs[p], provides)]
        ordered.extend(ready or [p for p in provides if p not in ordered])  # a cycle: let the checks report it
    return ordered


def _unprovided(keys: set[str], provides: dict) -> set[str]:
    everything = set().union(*provides.values()) if provides else set()
    return keys - everything


def _latest_or_none(session: Session, process_key: str) -> ProcessVersion | None:
    return session.scalars(
        select(ProcessVersion).where(ProcessVersion.process_key == process_key)
        .order_by(ProcessVersion.version.desc()).limit(1)
    ).first()


# Versions are immutable: each row is read once per process and shared, detached, by every session afterwards; which
# version is the latest of a process is asked of the database (a cheap id query) once per transaction.
_VERSIONS: dict[tuple[str, int], ProcessVersion] = {}  # (database, id) -> detached row
_VERSIONS_MAX = 256  # many test databases in one process: start afresh rather than grow without bound
_LATEST = "xieshang.latest_versions"  # session.info: process key -> (id, sha256) seen in this transaction
_COLUMNS = [attr.key for attr in inspect(ProcessVersion).column_attrs]
_LATEST_ID = (select(ProcessVersion.id, ProcessVersion.sha256).where(ProcessVersion.process_key == bindparam("key"))
              .order_by(ProcessVersion.version.desc()).limit(1))  # built once, like its cache key


def version_by_id(session: Session, version_id: int, sha256: str | None = None) -> ProcessVersion:
    """A deployed version by id, read once per process and database (`sha256`, when the caller has it, also tells a
    database rebuilt under the same name). The row is shared by every session and thread: read it, never change it
    or add it to a session."""
    return _versions(session, [(version_id, sha256)])[0]


def _versions(session: Session, wanted: list[tuple[int, str | None]]) -> list[ProcessVersion]:
    database = str(session.get_bind().url)  # ids repeat across databases (tests, several sites)
    found = {version_id: cached for version_id, sha256 in wanted
             if (cached := _VERSIONS.get((database, version_id))) is not None
             and (sha256 is None or cached.sha256 == sha256)}
    missing = [version_id for version_id, _sha in wanted if version_id not in found]
    if missing:
        rows = session.execute(select(*(getattr(ProcessVersion, name) for name in _COLUMNS))
                               .where(ProcessVersion.id.in_(missing)))
        if len(_VERSIONS) + len(missing) > _VERSIONS_MAX:
            _VERSIONS.clear()
        for row in rows:
            loaded = ProcessVersion(**dict(zip(_COLUMNS, row)))
            make_transient_to_detached(loaded)  # as if loaded by a query, in no session (nor this one's identity map)
            found[loaded.id] = _VERSIONS[(database, loaded.id)] = loaded
    try:
        return [found[version_id] for version_id, _sha in wanted]
    except KeyError as err:
        raise NotFound(N_("流程版本 %(id)s 不存在。", id=err.args[0])) from None


def _latest_ids(session: Session) -> dict[str, tuple[int, str]]:
    return session.info.setdefault(_LATEST, {})


@event.listens_for(Session, "after_transaction_end")
def _forget_latest(session: Session, _transaction) -> None:
    # a new transaction (or a savepoint rolled back) may see other versions: ask the database again
    session.info.pop(_LATEST, None)


def latest_version(session: Session, process_key: str) -> ProcessVersion:
    """The newest deployed version of a process, the same one however often it is asked in one transaction."""
    seen = session.info.get(_LATEST, {}).get(process_key)
    if seen is None:
        seen = session.execute(_LATEST_ID, {"key": process_key}).first()
        if seen is None:
            raise NotFound(N_("流程 %(key)s 尚未发布。", key=process_key))
        seen = _latest_ids(session)[process_key] = tuple(seen)
    return version_by_id(session, *seen)


def latest_versions(session: Session) -> list[ProcessVersion]:
    newest = (select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("v"))
              .group_by(ProcessVersion.process_key).subquery())
    rows = session.execute(select(ProcessVersion.process_key, ProcessVersion.id, ProcessVersion.sha256).join(
        newest, (ProcessVersion.process_key == newest.c.process_key) & (ProcessVersion.version == newest.c.v))
        .order_by(ProcessVersion.name)).all()
    seen = _latest_ids(session)
    for key, version_id, sha256 in rows:
        seen[key] = (version_id, sha256)
    return _versions(session, [(version_id, sha256) for _key, version_id, sha256 in rows])


def start_roles(session: Session, version: ProcessVersion) -> set[str]:
    """Who may start: the start event's lane role, plus the role keys its `startRoles` property lists."""
    spec, _subs = specs(session, version)
    start = spec.task_specs[spec.start.outputs[0].name] if spec.start.outputs else None
    extra = ((start.extensions or {}).get("properties", {}) if start is not None else {}).get("startRoles", "")
    roles = {key.strip() for key in extra.replace("，", ",").split(",") if key.strip()}
    lane_role = version.lane_roles.get(version.start_lane or "")
    return roles | ({lane_role} if lane_role else set())


def may_start(session: Session, user: User, version: ProcessVersion) -> bool:
    return bool(start_roles(session, version) & user.role_keys)


def startable_processes(session: Session, user: User) -> list[ProcessVersion]:
    return [v for v in latest_versions(session) if may_start(session, user, v)]


_SPECS: dict[str, tuple] = {}


def _spec_id(parser: SpiffBpmnParser, version: ProcessVersion) -> str:
    """The executable process of a version's own diagram (its key, unless it was imported under another one)."""
    ids = parser.get_process_ids()
    if version.process_key in ids:
        return version.process_key
    own = _own_process_ids(etree.fromstring(version.bpmn_xml.encode("utf-8")))
    return next(pid for pid in ids if pid in own)


def specs(session: Session, version: ProcessVersion):
    """(spec, subprocess_specs) for a version, parsed once per process (versions are immutable)."""
    cached = _SPECS.get(version.sha256)
    if cached is None:
        deps = [session.get(ProcessVersion, dep_id).bpmn_xml for dep_id in version.dependencies or []]
        parser = _parser(version.bpmn_xml.encode("utf-8"), deps)
        pid = _spec_id(parser, version)
        cached = (parser.get_spec(pid), parser.get_subprocess_specs(pid))
        _SPECS[version.sha256] = cached
    return cached
