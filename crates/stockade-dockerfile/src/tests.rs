use super::*;

fn p(line: u32, col: u32) -> Pos {
    Pos { line, col }
}

#[test]
fn continuations_with_comment_and_blank_lines_keep_positions() {
    let df = parse(
        "FROM debian:12\nRUN apt-get update \\\n    # a comment inside\n\n    && apt-get install -y \\\n       curl\nUSER app\n",
    );
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let run = &df.instructions[1];
    assert_eq!(run.kind, Kind::Run);
    assert_eq!((run.pos, run.end_line), (p(2, 1), 6));
    assert_eq!(
        run.args(),
        "apt-get update     && apt-get install -y        curl"
    );
    let cmds = run.commands();
    assert_eq!(cmds.len(), 2);
    assert_eq!(cmds[1].program(), "apt-get");
    // `curl` is on line 6, column 8.
    assert_eq!(cmds[1].words.last().unwrap().pos, p(6, 8));
    assert_eq!(df.instructions[2].pos, p(7, 1));
}

#[test]
fn escape_directive_switches_to_backtick() {
    let src = "# escape=`\n# syntax=docker/dockerfile:1\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir C:\\ `\n    && echo hi\nWORKDIR C:\\app\\\n";
    let df = parse(src);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    assert_eq!(df.escape, '`');
    assert_eq!(
        df.directives
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>(),
        ["escape", "syntax"]
    );
    assert_eq!(df.instructions[1].args(), "dir C:\\     && echo hi");
    // A trailing backslash is a path, not a continuation, under the backtick escape.
    assert_eq!(df.instructions[2].args(), "C:\\app\\");
    assert_eq!(df.instructions.len(), 3);
}

#[test]
fn directives_end_at_the_first_other_line() {
    let df = parse("# a comment\n# escape=`\nFROM a:1\n");
    assert!(df.directives.is_empty());
    assert_eq!(df.escape, '\\');
    assert_eq!(df.comments.len(), 2);
}

#[test]
fn heredocs_several_per_line_quoted_and_tab_stripped() {
    let src = "FROM alpine:3.20\nRUN <<EOF\nset -e\napk add --no-cache curl\nEOF\nCOPY <<-\"A\" /a <<'B' /b\n\tone $X\n\tA\ntwo\nB\nRUN python3 <<PY\nimport os\nPY\nUSER 1000\n";
    let df = parse(src);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let kinds: Vec<Kind> = df.instructions.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [Kind::From, Kind::Run, Kind::Copy, Kind::Run, Kind::User]
    );
    let run = &df.instructions[1];
    assert_eq!(run.heredocs[0].body, "set -e\napk add --no-cache curl\n");
    assert_eq!(run.end_line, 5);
    let cmds = run.commands();
    assert_eq!(cmds[1].program(), "apk");
    assert_eq!(cmds[1].words[0].pos, p(4, 1));
    let copy = &df.instructions[2];
    assert_eq!(copy.heredocs.len(), 2);
    assert!(copy.heredocs[0].strip_tabs && copy.heredocs[0].quoted);
    assert_eq!(copy.heredocs[0].delimiter, "A");
    assert_eq!(copy.heredocs[1].body, "two\n");
    // A heredoc read by python is data, not shell.
    assert_eq!(df.instructions[3].commands().len(), 1);
    assert_eq!(df.instructions[4].pos, p(14, 1));
}

#[test]
fn unterminated_heredoc_is_an_error_with_its_line() {
    let df = parse("FROM a:1\nRUN <<EOF\necho hi\n");
    assert_eq!(df.errors.len(), 1);
    assert_eq!(df.errors[0].line, 2);
    assert!(df.errors[0].message.contains("not closed"));
}

#[test]
fn exec_and_shell_forms_and_flags() {
    let df = parse(
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nRUN --mount=type=cache,target=/root/.cache go build\nCOPY --from=build --chown=app:app /out /bin/\nCMD [\"/bin/app\", \"--port\", \"80\"]\nENTRYPOINT /bin/app serve\n",
    );
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let from = &df.instructions[0];
    assert_eq!(
        from.flag("platform").unwrap().value.as_deref(),
        Some("$BUILDPLATFORM")
    );
    assert_eq!(from.flag("platform").unwrap().pos, p(1, 6));
    assert_eq!(df.stages[0].name.as_deref(), Some("build"));
    assert_eq!(df.stages[0].name_pos, Some(p(1, 47)));
    let run = &df.instructions[1];
    assert_eq!(
        run.flag("mount").unwrap().value.as_deref(),
        Some("type=cache,target=/root/.cache")
    );
    assert_eq!(run.args(), "go build");
    let copy = &df.instructions[2];
    assert_eq!(copy.flag("from").unwrap().value.as_deref(), Some("build"));
    assert_eq!(
        copy.flag("chown").unwrap().value.as_deref(),
        Some("app:app")
    );
    let cmd = df.instructions[3].exec_form().unwrap();
    assert_eq!(
        cmd.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(),
        ["/bin/app", "--port", "80"]
    );
    assert_eq!(cmd[1].pos, p(4, 18));
    assert!(df.instructions[4].is_shell_form());
}

#[test]
fn arg_substitution_in_from_and_stage_references() {
    let df = parse(
        "ARG GO=1.22\nARG BASE\nARG REG=docker.io\nARG EMPTY=\nFROM ${REG}/library/golang:${GO:-1.21}-alpine AS builder\nFROM $BASE\nFROM builder AS again\nFROM ${NOPE:-debian}:12\nFROM servercore:${EMPTY}\n",
    );
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    assert_eq!(df.global_args.len(), 4);
    let images: Vec<Option<&str>> = df.stages.iter().map(|s| s.image.as_deref()).collect();
    assert_eq!(
        images,
        [
            Some("docker.io/library/golang:1.22-alpine"),
            None,
            Some("builder"),
            Some("debian:12"),
            None
        ]
    );
    assert_eq!(df.stages[2].base_stage, Some(0));
    assert_eq!(df.stages[0].base_pos, p(5, 6));
    assert_eq!(df.stages[3].instructions, 7..8);
    assert_eq!(df.instructions[6].stage, Some(2));
    assert_eq!(df.instructions[0].stage, None);
}

#[test]
fn env_label_and_arg_pairs() {
    let df = parse(
        "FROM a:1\nENV A=1 B=\"two words\" C='x y'\nENV LEGACY some value\nLABEL org.opencontainers.image.title=\"t\"\nARG TOKEN\n",
    );
    let env: Vec<(String, Option<String>)> = df.instructions[1]
        .pairs()
        .into_iter()
        .map(|(k, v)| (k.text, v.map(|v| v.text)))
        .collect();
    assert_eq!(
        env,
        [
            ("A".into(), Some("1".into())),
            ("B".into(), Some("two words".into())),
            ("C".into(), Some("x y".into()))
        ]
    );
    let legacy = df.instructions[2].pairs();
    assert_eq!(
        (
            legacy[0].0.text.as_str(),
            legacy[0].1.as_ref().unwrap().text.as_str()
        ),
        ("LEGACY", "some value")
    );
    assert_eq!(legacy[0].1.as_ref().unwrap().pos, p(3, 12));
    let arg = df.instructions[4].pairs();
    assert_eq!(
        (arg[0].0.text.as_str(), arg[0].1.is_none()),
        ("TOKEN", true)
    );
}

#[test]
fn bad_lines_are_errors_with_line_numbers_and_parsing_goes_on() {
    let df = parse("FROM a:1\nFROBNICATE x\nRUN\n  COPY a /b\nUSER 1000\n");
    let errs: Vec<(u32, &str)> = df
        .errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    assert_eq!(
        errs,
        [
            (2, "unknown instruction `FROBNICATE`"),
            (3, "RUN requires at least one argument")
        ]
    );
    let kinds: Vec<Kind> = df.instructions.iter().map(|i| i.kind).collect();
    assert_eq!(kinds, [Kind::From, Kind::Copy, Kind::User]);
    assert_eq!(df.instructions[1].pos, p(4, 3));
    assert_eq!(
        df.errors[0].to_string(),
        "line 2: unknown instruction `FROBNICATE`"
    );
}

#[test]
fn instructions_before_from_and_onbuild() {
    let df = parse("RUN echo\nFROM a:1\nONBUILD RUN apt-get install x\nONBUILD FROM b\n");
    assert_eq!(df.errors.len(), 2);
    assert_eq!(df.errors[0].line, 1);
    assert!(df.errors[1].message.contains("not allowed inside ONBUILD"));
    let inner = df.instructions[2].onbuild.as_ref().unwrap();
    assert_eq!((inner.kind, inner.pos), (Kind::Run, p(3, 9)));
    assert_eq!(inner.commands()[0].words[2].pos, p(3, 29));
}

#[test]
fn dockerfile_names() {
    for n in [
        "Dockerfile",
        "dockerfile",
        "Containerfile",
        "api.Dockerfile",
        "Dockerfile.dev",
        "Dockerfile-WINDOWS",
        "Dockerfile_arm",
    ] {
        assert!(is_dockerfile_name(n), "{n}");
    }
    for n in [
        "Dockerfile.",
        "docker-compose.yml",
        "Dockerfilex",
        "README.md",
    ] {
        assert!(!is_dockerfile_name(n), "{n}");
    }
}
