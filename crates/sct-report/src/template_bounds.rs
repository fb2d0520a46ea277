//! Bounds on a user's templates (`--template-dir`), so that rendering one always ends with a
//! report or an error naming the template, never with the process aborted (a stack overflow
//! or an allocation that cannot be met). Rust cannot catch either, so every way a template
//! can recurse or grow without end is closed before or while it renders:
//!
//! - **Recursion** is refused before rendering ([`check_parsed`]): an include, import,
//!   extends, block or macro call that leads back to itself, directly or through others, and
//!   chains of them deeper than [`MAX_CHAIN`]. Nesting in the source (blocks inside blocks,
//!   long expressions) is bounded before tera parses it ([`check_source`]), as tera's parser
//!   and renderer recurse on it.
//! - **Output built in memory**: a macro's output and a `{% filter %}` section's are built
//!   in memory before they are written, so they may hold no loop, include or block (loop in
//!   the template and call the macro for each item).
//! - **Growth**: every value a template keeps (`set`, `set_global`) and every macro call's
//!   output is checked against a size and a nesting limit, so no loop can double a value
//!   without end; the filters whose output can outgrow their input many times (`replace`,
//!   `indent`, `join`) check the size first; `range` is bounded per call and per render (and
//!   refuses a step of 0, which never ends).
//! - **The rendered output** is written through a writer that refuses to pass a limit.
//!
//! The limits on sizes grow with the data the report is rendered from, so a report of any
//! size renders with its own templates; they stop only templates that build far more than
//! their data.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use tera::ast::{Expr, ExprVal, FunctionCall, Node};
use tera::{Filter, Function, Tera, Value};

/// The deepest nesting of blocks (`if`, `for`, `block`, `macro`, `filter`) in a template.
pub const MAX_NESTING: usize = 24;
/// The longest tag (`{{ ... }}`, `{% ... %}`), in characters: an expression nests no
/// deeper than its length.
pub const MAX_TAG_CHARS: usize = 512;
/// The longest chain of includes, extends, blocks and macro calls, each rendering the next.
pub const MAX_CHAIN: usize = 16;
/// The most numbers one `range` may give.
pub const RANGE_PER_CALL: usize = 100_000;
/// The most numbers all the `range` calls of one rendering may give.
pub const RANGE_PER_RENDER: usize = 1_000_000;
/// The deepest nesting of a value a template builds.
pub const MAX_VALUE_DEPTH: usize = 64;
/// The size a value built by a template may have beyond the size of the report's data.
pub const VALUE_ALLOWANCE: usize = 16 * 1024 * 1024;
/// The size the rendered output may have beyond four times the size of the report's data.
pub const OUTPUT_ALLOWANCE: usize = 256 * 1024 * 1024;

/// The names of the functions that check what a template builds.
const BOUNDED_SET: &str = "__bounded_set";
const BOUNDED_MACRO_CALL: &str = "__bounded_macro_call";

/// Whether a message in a tera error's chain is only the call of one of the checks above
/// ("Function call '__bounded_set' failed"), saying nothing of its own.
pub fn is_check_call(message: &str) -> bool {
    [BOUNDED_SET, BOUNDED_MACRO_CALL]
        .iter()
        .any(|f| message == format!("Function call '{f}' failed"))
}

// ---- before parsing ----

/// Checks a template's source before tera parses it: blocks nest at most [`MAX_NESTING`]
/// deep and no tag is longer than [`MAX_TAG_CHARS`]. The message names the line.
pub fn check_source(text: &str) -> Result<(), String> {
    let line_of = |pos: usize| text[..pos].matches('\n').count() + 1;
    let mut depth = 0usize;
    let mut pos = 0;
    while let Some(found) = text[pos..].find('{') {
        let start = pos + found;
        let rest = &text[start..];
        let close = if rest.starts_with("{{") {
            "}}"
        } else if rest.starts_with("{%") {
            "%}"
        } else if rest.starts_with("{#") {
            "#}"
        } else {
            pos = start + 1;
            continue;
        };
        let len = if close == "#}" {
            rest[2..].find(close)
        } else {
            tag_len(&rest[2..], close)
        };
        let Some(len) = len else {
            // Refused rather than left to tera, which might recurse on what follows before
            // it finds the tag unclosed.
            return Err(format!(
                "line {}: a tag (`{}`) that is not closed",
                line_of(start),
                &rest[..2]
            ));
        };
        let inner = &rest[2..2 + len];
        pos = start + 2 + len + 2;
        if close == "#}" {
            continue;
        }
        if inner.chars().count() > MAX_TAG_CHARS {
            return Err(format!(
                "line {}: a tag of {} characters, more than the {MAX_TAG_CHARS} allowed (split the expression with `set`)",
                line_of(start),
                inner.chars().count()
            ));
        }
        if close != "%}" {
            continue;
        }
        let word = inner
            .trim_start_matches('-')
            .split_whitespace()
            .next()
            .unwrap_or("");
        match word {
            "raw" => {
                // A raw block's content is not parsed: skip to its end.
                let end = text[pos..].find("endraw").map_or(text.len(), |i| pos + i);
                pos = end;
            }
            "if" | "for" | "block" | "macro" | "filter" => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(format!(
                        "line {}: blocks (if, for, block, macro, filter) nest {depth} deep, more than the {MAX_NESTING} allowed",
                        line_of(start)
                    ));
                }
            }
            w if w.starts_with("end") => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The length of a tag's inside up to `close`, skipping string literals (which may hold
/// `}}`); `None` when it is not closed.
fn tag_len(s: &str, close: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' || b == b'`' => quote = Some(b),
            // Bytes, not text: `i` may be inside a character of several bytes.
            None if bytes[i..].starts_with(close.as_bytes()) => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

// ---- after parsing: recursion and output built in memory ----

/// A piece of a template that renders: a template's body, a block as one template defines
/// it, or a macro.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Piece {
    Template(String),
    Block(String, String),
    Macro(String, String),
}

impl Piece {
    fn template(&self) -> &str {
        match self {
            Piece::Template(t) | Piece::Block(t, _) | Piece::Macro(t, _) => t,
        }
    }

    fn describe(&self) -> String {
        match self {
            Piece::Template(t) => format!("`{t}`"),
            Piece::Block(t, b) => format!("block `{b}` of `{t}`"),
            Piece::Macro(t, m) => format!("macro `{m}` of `{t}`"),
        }
    }
}

/// What a body renders besides itself.
#[derive(Default)]
struct Calls {
    includes: Vec<Vec<String>>,
    macros: Vec<(String, String)>,
    blocks: Vec<String>,
    supers: bool,
}

/// A refusal: the template (by name) it is about, and why.
#[derive(Debug)]
pub struct Refusal {
    /// The template's name.
    pub template: String,
    /// What is wrong, and what is allowed.
    pub message: String,
}

/// Checks the parsed templates: no recursion and no chain deeper than [`MAX_CHAIN`] among
/// all of them, and, in the user's (`user`), no loop, include or block in a macro or a
/// filter section.
pub fn check_parsed(tera: &Tera, user: &BTreeSet<String>) -> Result<(), Refusal> {
    for name in user {
        if let Some(t) = tera.templates.get(name) {
            check_buffered(name, t)?;
        }
    }
    check_imports(tera, user)?;
    let graph = render_graph(tera);
    check_chains(&graph, user)
}

/// No loop, include or block where output is built in memory.
fn check_buffered(name: &str, t: &tera::Template) -> Result<(), Refusal> {
    let refuse = |what: &str, inner: &str| Refusal {
        template: name.to_string(),
        message: format!(
            "refused: {what} holds {inner}; the output of a macro or a filter section is built in memory, so it may hold no loop, include or block (loop in the template and call the macro for each item)"
        ),
    };
    let mut macros: Vec<_> = t.macros.iter().collect();
    macros.sort_by(|a, b| a.0.cmp(b.0));
    for (m, def) in macros {
        if let Some(inner) = unbuffered(&def.body) {
            return Err(refuse(&format!("macro `{m}`"), inner));
        }
    }
    match filter_section_holding(&t.ast) {
        Some((filter, inner)) => Err(refuse(
            &format!("a `{{% filter {filter} %}}` section"),
            inner,
        )),
        None => Ok(()),
    }
}

/// The first filter section in `nodes` (at any depth, outside macros) that holds a loop,
/// include or block: its filter's name and what it holds.
fn filter_section_holding(nodes: &[Node]) -> Option<(String, &'static str)> {
    let mut found = None;
    each_body(nodes, &mut |ns| {
        for n in ns {
            if let Node::FilterSection(_, f, _) = n
                && let Some(inner) = unbuffered(&f.body)
            {
                found = Some((f.filter.name.clone(), inner));
                return Some(inner);
            }
        }
        None
    });
    found
}

/// Calls `f` on `nodes` and every body nested in them (not macro bodies); stops at the first
/// `Some`.
fn each_body<'a>(
    nodes: &'a [Node],
    f: &mut dyn FnMut(&'a [Node]) -> Option<&'static str>,
) -> Option<&'static str> {
    if let Some(r) = f(nodes) {
        return Some(r);
    }
    for node in nodes {
        let found = match node {
            Node::Block(_, b, _) => each_body(&b.body, f),
            Node::FilterSection(_, s, _) => each_body(&s.body, f),
            Node::Forloop(_, l, _) => each_body(&l.body, f)
                .or_else(|| l.empty_body.as_deref().and_then(|b| each_body(b, f))),
            Node::If(i, _) => i
                .conditions
                .iter()
                .find_map(|(_, _, body)| each_body(body, f))
                .or_else(|| i.otherwise.as_ref().and_then(|(_, b)| each_body(b, f))),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The first loop, include or block in `nodes` (at any depth), if any.
fn unbuffered(nodes: &[Node]) -> Option<&'static str> {
    each_body(nodes, &mut |ns| {
        ns.iter().find_map(|n| match n {
            Node::Forloop(..) => Some("a `for` loop"),
            Node::Include(..) => Some("an `include`"),
            Node::Block(..) => Some("a `block`"),
            _ => None,
        })
    })
}

/// Imports and parents: tera loads the macros of a template's imports and parents, and
/// theirs, recursively, before rendering; a cycle among them never ends.
fn check_imports(tera: &Tera, user: &BTreeSet<String>) -> Result<(), Refusal> {
    let mut edges: BTreeMap<Piece, Vec<Piece>> = BTreeMap::new();
    for (name, t) in &tera.templates {
        let next = t
            .imported_macro_files
            .iter()
            .map(|(file, _)| file.clone())
            .chain(t.parent.clone())
            .filter(|n| tera.templates.contains_key(n))
            .map(Piece::Template)
            .collect();
        edges.insert(Piece::Template(name.clone()), next);
    }
    check_chains(&edges, user)
}

/// What renders what: each template's body, each block definition and each macro, with an
/// edge to every piece it may render.
fn render_graph(tera: &Tera) -> BTreeMap<Piece, Vec<Piece>> {
    let mut graph: BTreeMap<Piece, Vec<Piece>> = BTreeMap::new();
    for (name, t) in &tera.templates {
        let mut add = |piece: Piece, body: &[Node], macro_args: &[&Expr]| {
            let mut calls = Calls::default();
            collect_calls(body, &mut calls);
            for e in macro_args {
                collect_expr(e, &mut calls);
            }
            let edges = edges_of(tera, name, &piece, &calls);
            graph.insert(piece, edges);
        };
        add(Piece::Template(name.clone()), &t.ast, &[]);
        for (b, block) in &t.blocks {
            add(Piece::Block(name.clone(), b.clone()), &block.body, &[]);
        }
        for (m, def) in &t.macros {
            let defaults: Vec<&Expr> = def.args.values().flatten().collect();
            add(Piece::Macro(name.clone(), m.clone()), &def.body, &defaults);
        }
    }
    graph
}

/// The pieces a body of template `name` (the piece `from`) may render.
fn edges_of(tera: &Tera, name: &str, from: &Piece, calls: &Calls) -> Vec<Piece> {
    let t = &tera.templates[name];
    let mut out = Vec::new();
    if let (Piece::Template(_), Some(parent)) = (from, &t.parent) {
        out.push(Piece::Template(parent.clone()));
    }
    for names in &calls.includes {
        if let Some(n) = names.iter().find(|n| tera.templates.contains_key(*n)) {
            out.push(Piece::Template(n.clone()));
        }
    }
    for (ns, m) in &calls.macros {
        out.extend(resolve_macro(tera, name, ns, m));
    }
    // A block renders its definition in this template or in any template below it (one that
    // extends it, directly or not), whichever the rendered template picks.
    for b in &calls.blocks {
        for (other, o) in &tera.templates {
            let below = other == name || o.parents.iter().any(|p| p == name);
            if below && o.blocks.contains_key(b) {
                out.push(Piece::Block(other.clone(), b.clone()));
            }
        }
    }
    // super() renders the same block as a parent defines it.
    if let (true, Piece::Block(_, b)) = (calls.supers, from) {
        for p in &t.parents {
            if tera
                .templates
                .get(p)
                .is_some_and(|pt| pt.blocks.contains_key(b))
            {
                out.push(Piece::Block(p.clone(), b.clone()));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The macros a call `ns::m` in template `name` may reach: `self` is the template itself,
/// another namespace one it imports; when the name cannot be followed, every macro `m`.
fn resolve_macro(tera: &Tera, name: &str, ns: &str, m: &str) -> Vec<Piece> {
    let t = &tera.templates[name];
    let file = if ns == "self" {
        Some(name.to_string())
    } else {
        t.imported_macro_files
            .iter()
            .find(|(_, n)| n == ns)
            .map(|(f, _)| f.clone())
    };
    match file {
        Some(f)
            if tera
                .templates
                .get(&f)
                .is_some_and(|x| x.macros.contains_key(m)) =>
        {
            vec![Piece::Macro(f, m.to_string())]
        }
        _ => tera
            .templates
            .iter()
            .filter(|(_, x)| x.macros.contains_key(m))
            .map(|(f, _)| Piece::Macro(f.clone(), m.to_string()))
            .collect(),
    }
}

fn collect_calls(nodes: &[Node], calls: &mut Calls) {
    for node in nodes {
        match node {
            Node::VariableBlock(_, e) => collect_expr(e, calls),
            Node::Set(_, s) => collect_expr(&s.value, calls),
            Node::Include(_, names, _) => calls.includes.push(names.clone()),
            Node::Block(_, b, _) => calls.blocks.push(b.name.clone()),
            Node::Super => calls.supers = true,
            Node::FilterSection(_, s, _) => {
                collect_fn(&s.filter, calls);
                collect_calls(&s.body, calls);
            }
            Node::Forloop(_, l, _) => {
                collect_expr(&l.container, calls);
                collect_calls(&l.body, calls);
                if let Some(b) = &l.empty_body {
                    collect_calls(b, calls);
                }
            }
            Node::If(i, _) => {
                for (_, cond, body) in &i.conditions {
                    collect_expr(cond, calls);
                    collect_calls(body, calls);
                }
                if let Some((_, b)) = &i.otherwise {
                    collect_calls(b, calls);
                }
            }
            // Macro definitions are pieces of their own; the rest render nothing else.
            _ => {}
        }
    }
}

fn collect_fn(f: &FunctionCall, calls: &mut Calls) {
    for e in f.args.values() {
        collect_expr(e, calls);
    }
}

fn collect_expr(e: &Expr, calls: &mut Calls) {
    for f in &e.filters {
        collect_fn(f, calls);
    }
    collect_val(&e.val, calls);
}

fn collect_val(v: &ExprVal, calls: &mut Calls) {
    match v {
        ExprVal::MacroCall(m) => {
            calls.macros.push((m.namespace.clone(), m.name.clone()));
            for e in m.args.values() {
                collect_expr(e, calls);
            }
        }
        ExprVal::FunctionCall(f) => collect_fn(f, calls),
        ExprVal::Math(m) => {
            collect_expr(&m.lhs, calls);
            collect_expr(&m.rhs, calls);
        }
        ExprVal::Logic(l) => {
            collect_expr(&l.lhs, calls);
            collect_expr(&l.rhs, calls);
        }
        ExprVal::In(i) => {
            collect_expr(&i.lhs, calls);
            collect_expr(&i.rhs, calls);
        }
        ExprVal::Test(t) => t.args.iter().for_each(|e| collect_expr(e, calls)),
        ExprVal::Array(items) => items.iter().for_each(|e| collect_expr(e, calls)),
        ExprVal::StringConcat(c) => c.values.iter().for_each(|v| collect_val(v, calls)),
        _ => {}
    }
}

/// Refuses a cycle, and a chain longer than [`MAX_CHAIN`], in `graph` (iteratively: the
/// graph may be as deep as the user makes it). The refusal names the first of the user's
/// templates (`user`) involved.
fn check_chains(
    graph: &BTreeMap<Piece, Vec<Piece>>,
    user: &BTreeSet<String>,
) -> Result<(), Refusal> {
    let name = |pieces: &[&Piece]| {
        pieces
            .iter()
            .map(|p| p.template())
            .find(|t| user.contains(*t))
            .or_else(|| pieces.first().map(|p| p.template()))
            .unwrap_or_default()
            .to_string()
    };
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Open,
        Done(usize),
    }
    let mut state: BTreeMap<&Piece, State> = BTreeMap::new();
    let none = Vec::new();
    for start in graph.keys() {
        if state.contains_key(start) {
            continue;
        }
        // (piece, index of the next edge to follow)
        let mut stack: Vec<(&Piece, usize)> = vec![(start, 0)];
        state.insert(start, State::Open);
        while let Some((piece, i)) = stack.last().copied() {
            let edges = graph.get(piece).unwrap_or(&none);
            if let Some(next) = edges.get(i) {
                stack.last_mut().expect("not empty").1 += 1;
                match state.get(next) {
                    Some(State::Open) => {
                        let from = stack.iter().position(|(p, _)| *p == next).unwrap_or(0);
                        let mut cycle: Vec<&Piece> =
                            stack[from..].iter().map(|(p, _)| *p).collect();
                        cycle.push(next);
                        let path: Vec<String> = cycle.iter().map(|p| p.describe()).collect();
                        return Err(Refusal {
                            template: name(&cycle),
                            message: format!(
                                "refused: rendering would never end: {} (a template may not include, import or extend itself, and a macro may not call itself, directly or through others)",
                                path.join(" → ")
                            ),
                        });
                    }
                    Some(State::Done(_)) => {}
                    None => {
                        state.insert(next, State::Open);
                        stack.push((next, 0));
                    }
                }
                continue;
            }
            let depth = 1 + edges
                .iter()
                .filter_map(|e| match state.get(e) {
                    Some(State::Done(d)) => Some(*d),
                    _ => None,
                })
                .max()
                .unwrap_or(0);
            if depth > MAX_CHAIN {
                let chain: Vec<&Piece> = stack.iter().map(|(p, _)| *p).collect();
                return Err(Refusal {
                    template: name(&chain),
                    message: format!(
                        "refused: {} starts a chain of {depth} includes, blocks and macro calls, each rendering the next, more than the {MAX_CHAIN} allowed",
                        piece.describe()
                    ),
                });
            }
            state.insert(piece, State::Done(depth));
            stack.pop();
        }
    }
    Ok(())
}

// ---- rewriting: what a template keeps is checked ----

/// Rewrites the user's templates so that every value they keep (`set`, `set_global`, unless
/// it is a plain name or literal) and every macro call's output goes through a check of its
/// size and nesting.
pub fn bound_values(tera: &mut Tera, user: &BTreeSet<String>) {
    for (name, t) in tera.templates.iter_mut() {
        if !user.contains(name) {
            continue;
        }
        rewrite_nodes(&mut t.ast);
        for def in t.macros.values_mut() {
            rewrite_nodes(&mut def.body);
            for e in def.args.values_mut().flatten() {
                rewrite_expr(e);
            }
        }
        for b in t.blocks.values_mut() {
            rewrite_nodes(&mut b.body);
        }
        for defs in t.blocks_definitions.values_mut() {
            for (_, b) in defs {
                rewrite_nodes(&mut b.body);
            }
        }
    }
}

fn wrapped(name: &str, value: Expr) -> Expr {
    Expr::new(ExprVal::FunctionCall(FunctionCall {
        name: name.to_string(),
        args: HashMap::from([("value".to_string(), value)]),
    }))
}

fn rewrite_nodes(nodes: &mut [Node]) {
    for node in nodes {
        match node {
            Node::VariableBlock(_, e) => rewrite_expr(e),
            Node::Set(_, s) => {
                rewrite_expr(&mut s.value);
                let plain = s.value.filters.is_empty()
                    && matches!(
                        s.value.val,
                        ExprVal::Ident(_)
                            | ExprVal::String(_)
                            | ExprVal::Int(_)
                            | ExprVal::Float(_)
                            | ExprVal::Bool(_)
                    );
                if !plain {
                    let value = std::mem::replace(&mut s.value, Expr::new(ExprVal::Bool(false)));
                    s.value = wrapped(BOUNDED_SET, value);
                }
            }
            Node::MacroDefinition(_, def, _) => {
                rewrite_nodes(&mut def.body);
                def.args.values_mut().flatten().for_each(rewrite_expr);
            }
            Node::Block(_, b, _) => rewrite_nodes(&mut b.body),
            Node::FilterSection(_, s, _) => {
                s.filter.args.values_mut().for_each(rewrite_expr);
                rewrite_nodes(&mut s.body);
            }
            Node::Forloop(_, l, _) => {
                rewrite_expr(&mut l.container);
                rewrite_nodes(&mut l.body);
                if let Some(b) = &mut l.empty_body {
                    rewrite_nodes(b);
                }
            }
            Node::If(i, _) => {
                for (_, cond, body) in &mut i.conditions {
                    rewrite_expr(cond);
                    rewrite_nodes(body);
                }
                if let Some((_, b)) = &mut i.otherwise {
                    rewrite_nodes(b);
                }
            }
            _ => {}
        }
    }
}

fn rewrite_expr(e: &mut Expr) {
    for f in &mut e.filters {
        f.args.values_mut().for_each(rewrite_expr);
    }
    rewrite_val(&mut e.val);
}

fn rewrite_val(v: &mut ExprVal) {
    match v {
        ExprVal::MacroCall(m) => {
            m.args.values_mut().for_each(rewrite_expr);
            let call = std::mem::replace(v, ExprVal::Bool(false));
            *v = wrapped(BOUNDED_MACRO_CALL, Expr::new(call)).val;
        }
        ExprVal::FunctionCall(f) => f.args.values_mut().for_each(rewrite_expr),
        ExprVal::Math(m) => {
            rewrite_expr(&mut m.lhs);
            rewrite_expr(&mut m.rhs);
        }
        ExprVal::Logic(l) => {
            rewrite_expr(&mut l.lhs);
            rewrite_expr(&mut l.rhs);
        }
        ExprVal::In(i) => {
            rewrite_expr(&mut i.lhs);
            rewrite_expr(&mut i.rhs);
        }
        ExprVal::Test(t) => t.args.iter_mut().for_each(rewrite_expr),
        ExprVal::Array(items) => items.iter_mut().for_each(rewrite_expr),
        _ => {}
    }
}

// ---- while rendering: the budget of one rendering ----

/// What one rendering may still build.
#[derive(Debug, Clone)]
struct Budget {
    value_limit: usize,
    range_left: usize,
    macro_output_left: usize,
}

thread_local! {
    /// The budget of the rendering running on this thread (tera renders on the caller's).
    static BUDGET: RefCell<Option<Budget>> = const { RefCell::new(None) };
}

/// The budget of one rendering, in force from [`Rendering::start`] until dropped.
pub struct Rendering {
    output_limit: usize,
}

impl Rendering {
    /// Starts the budget of a rendering from data of `data_bytes` (as [`size_of`] counts).
    pub fn start(data_bytes: usize) -> Rendering {
        let output_limit = OUTPUT_ALLOWANCE.saturating_add(data_bytes.saturating_mul(4));
        BUDGET.with(|b| {
            *b.borrow_mut() = Some(Budget {
                value_limit: VALUE_ALLOWANCE.saturating_add(data_bytes),
                range_left: RANGE_PER_RENDER,
                macro_output_left: output_limit,
            })
        });
        Rendering { output_limit }
    }

    /// The most bytes the rendered output may have.
    pub fn output_limit(&self) -> usize {
        self.output_limit
    }
}

impl Drop for Rendering {
    fn drop(&mut self) {
        BUDGET.with(|b| *b.borrow_mut() = None);
    }
}

fn with_budget<T>(f: impl FnOnce(&mut Budget) -> T) -> T {
    BUDGET.with(|b| {
        let mut b = b.borrow_mut();
        match b.as_mut() {
            Some(budget) => f(budget),
            // Outside a rendering (never, through `Templates`): the limits of data of size
            // 0, for this call alone.
            None => f(&mut Budget {
                value_limit: VALUE_ALLOWANCE,
                range_left: RANGE_PER_RENDER,
                macro_output_left: OUTPUT_ALLOWANCE,
            }),
        }
    })
}

/// The size of a value as the limits count it: its text, and 8 bytes for each number,
/// boolean, null, item and key. `None` past `limit` or [`MAX_VALUE_DEPTH`].
pub fn size_of(v: &Value, limit: usize) -> Option<usize> {
    fn go(v: &Value, limit: usize, depth: usize) -> Option<usize> {
        if depth > MAX_VALUE_DEPTH {
            return None;
        }
        let n = match v {
            Value::String(s) => s.len(),
            Value::Array(items) => {
                let mut n = 8usize;
                for i in items {
                    n = n.checked_add(8 + go(i, limit.saturating_sub(n), depth + 1)?)?;
                    if n > limit {
                        return None;
                    }
                }
                n
            }
            Value::Object(map) => {
                let mut n = 8usize;
                for (k, i) in map {
                    let item = go(i, limit.saturating_sub(n), depth + 1)?;
                    n = n.checked_add(8 + k.len() + item)?;
                    if n > limit {
                        return None;
                    }
                }
                n
            }
            _ => 8,
        };
        (n <= limit).then_some(n)
    }
    go(v, limit, 0)
}

fn too_large(what: &str, limit: usize) -> tera::Error {
    tera::Error::msg(format!(
        "{what} is larger than the {limit}-byte limit or nested more than {MAX_VALUE_DEPTH} deep; a template may not build values much larger than the report's data"
    ))
}

/// The check of a kept value, and of a macro call's output (counted against the rendering's
/// total too).
struct BoundedValue {
    macro_output: bool,
}

impl Function for BoundedValue {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let value = args.get("value").cloned().unwrap_or(Value::Null);
        with_budget(|b| {
            let what = if self.macro_output {
                "a macro's output"
            } else {
                "a value kept with `set`"
            };
            let size =
                size_of(&value, b.value_limit).ok_or_else(|| too_large(what, b.value_limit))?;
            if self.macro_output {
                b.macro_output_left = b.macro_output_left.checked_sub(size).ok_or_else(|| {
                    tera::Error::msg(
                        "the macro calls of this template build more output in memory than the rendered report may have",
                    )
                })?;
            }
            Ok(value)
        })
    }

    fn is_safe(&self) -> bool {
        // A macro's output is not escaped again, as without the check.
        self.macro_output
    }
}

/// `range` with its length bounded (per call and per rendering) and a step of 0 refused;
/// the rest is tera's own.
struct BoundedRange(Arc<dyn Function>);

impl Function for BoundedRange {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let number = |k: &str, default: Option<u64>| match args.get(k) {
            Some(v) => v.as_u64(),
            None => default,
        };
        if let (Some(start), Some(end), Some(step)) = (
            number("start", Some(0)),
            number("end", None),
            number("step_by", Some(1)),
        ) {
            if step == 0 {
                return Err(tera::Error::msg(
                    "`range` with step_by=0 never ends; expected a step of 1 or more",
                ));
            }
            let count = end.saturating_sub(start).div_ceil(step);
            let count = usize::try_from(count).unwrap_or(usize::MAX);
            if count > RANGE_PER_CALL {
                return Err(tera::Error::msg(format!(
                    "`range` of {count} numbers, more than the {RANGE_PER_CALL} allowed in one call"
                )));
            }
            with_budget(|b| {
                b.range_left = b.range_left.checked_sub(count).ok_or_else(|| {
                    tera::Error::msg(format!(
                        "the `range` calls of this rendering give more than the {RANGE_PER_RENDER} numbers allowed in all"
                    ))
                })?;
                Ok::<(), tera::Error>(())
            })?;
        }
        // Anything else is for tera's own `range` to refuse, with its message.
        self.0.call(args)
    }
}

/// A filter whose output can be many times its input, run only when the size its output
/// would have (counted first) is within the value limit.
struct Bounded {
    inner: Arc<dyn Filter>,
    name: &'static str,
    estimate: Estimate,
}

/// The size a filter's output would have for a value and arguments, when it can be told.
type Estimate = fn(&Value, &HashMap<String, Value>) -> Option<usize>;

impl Filter for Bounded {
    fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
        if let Some(size) = (self.estimate)(value, args) {
            let limit = with_budget(|b| b.value_limit);
            if size > limit {
                return Err(too_large(
                    &format!("the output of `{}` ({size} bytes)", self.name),
                    limit,
                ));
            }
        }
        self.inner.filter(value, args)
    }

    fn is_safe(&self) -> bool {
        self.inner.is_safe()
    }
}

fn arg_str<'a>(args: &'a HashMap<String, Value>, k: &str) -> Option<&'a str> {
    args.get(k).and_then(Value::as_str)
}

fn replace_size(value: &Value, args: &HashMap<String, Value>) -> Option<usize> {
    let (s, from, to) = (
        value.as_str()?,
        arg_str(args, "from")?,
        arg_str(args, "to")?,
    );
    let count = s.matches(from).count();
    s.len()
        .checked_add(count.checked_mul(to.len())?)
        .or(Some(usize::MAX))
}

fn indent_size(value: &Value, args: &HashMap<String, Value>) -> Option<usize> {
    let s = value.as_str()?;
    let prefix = arg_str(args, "prefix").map_or(4, str::len);
    let lines = s.matches('\n').count() + 1;
    s.len()
        .checked_add(lines.checked_mul(prefix)?)
        .or(Some(usize::MAX))
}

fn join_size(value: &Value, args: &HashMap<String, Value>) -> Option<usize> {
    let items = value.as_array()?;
    let sep = arg_str(args, "sep").map_or(0, str::len);
    let items_size = size_of(value, usize::MAX).unwrap_or(usize::MAX);
    items_size
        .checked_add(items.len().checked_mul(sep)?)
        .or(Some(usize::MAX))
}

/// Registers the bounded `range`, `replace`, `indent` and `join` (tera's own, behind their
/// checks) and the value checks the rewritten templates call.
pub fn register(tera: &mut Tera) {
    if let Some(range) = tera.functions.get("range").cloned() {
        tera.register_function("range", BoundedRange(range));
    }
    let filters: [(&'static str, Estimate); 3] = [
        ("replace", replace_size),
        ("indent", indent_size),
        ("join", join_size),
    ];
    for (name, estimate) in filters {
        if let Some(inner) = tera.filters.get(name).cloned() {
            tera.register_filter(
                name,
                Bounded {
                    inner,
                    name,
                    estimate,
                },
            );
        }
    }
    tera.register_function(
        BOUNDED_SET,
        BoundedValue {
            macro_output: false,
        },
    );
    tera.register_function(BOUNDED_MACRO_CALL, BoundedValue { macro_output: true });
}

/// A stream that refuses to take more than `limit` bytes: a rendering that would write far
/// more than its report's data stops with [`LimitedWriter::refusal`] instead of filling the
/// disk or the memory.
pub struct LimitedWriter<W: std::io::Write> {
    inner: W,
    written: usize,
    limit: usize,
    exceeded: bool,
}

impl<W: std::io::Write> LimitedWriter<W> {
    /// A stream into `inner` that takes at most `limit` bytes.
    pub fn new(inner: W, limit: usize) -> Self {
        LimitedWriter {
            inner,
            written: 0,
            limit,
            exceeded: false,
        }
    }

    /// The stream written into, for bytes that do not count against the limit.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// Whether a write was refused for going past the limit.
    pub fn exceeded(&self) -> bool {
        self.exceeded
    }

    /// The refusal, in words.
    pub fn refusal(&self) -> String {
        format!(
            "the rendered output would be larger than the {}-byte limit; a template may not write far more than the report's data",
            self.limit
        )
    }
}

impl<W: std::io::Write> std::io::Write for LimitedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.written.saturating_add(buf.len()) > self.limit {
            self.exceeded = true;
            return Err(std::io::Error::other(self.refusal()));
        }
        let n = self.inner.write(buf)?;
        self.written += n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Templates;

    /// Loads `files` (name, text) as a user's template directory; the error's text if any.
    fn load(files: &[(&str, &str)]) -> Result<Templates, String> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        Templates::load(Some(dir.path())).map_err(|e| e.to_string())
    }

    fn render(files: &[(&str, &str)], name: &str) -> Result<String, String> {
        let t = load(files)?;
        t.render(name, &serde_json::json!({"n": 3}), &[])
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_source_scan_bounds_nesting_and_tags_and_names_the_line() {
        let deep = format!("a\n{}{}", "{% if x %}".repeat(25), "{% endif %}".repeat(25));
        assert!(
            check_source(&deep)
                .unwrap_err()
                .starts_with("line 2: blocks")
        );
        let ok = format!("{}{}", "{%- if x -%}".repeat(24), "{% endif %}".repeat(24));
        check_source(&ok).unwrap();
        let long = format!("{{{{ \"{}\" }}}}", "x".repeat(600));
        assert!(
            check_source(&long)
                .unwrap_err()
                .contains("a tag of 604 characters")
        );
        // Quotes inside tags may hold the closing marks; comments and raw blocks are text.
        check_source("{{ \"}}\" }} {# it's {% if %} #} {% raw %}{% if %}{% if %}{% endraw %}")
            .unwrap();
        // Characters of several bytes, in tags and out (found by fuzzing: a byte index
        // inside `→` was sliced).
        check_source("→ {{ → }} {% if a → b %}`→`{% endif %} {{ \"→\" }}").unwrap();
        assert!(
            check_source("x\n{{ \"unclosed }}")
                .unwrap_err()
                .contains("line 2: a tag")
        );
    }

    #[test]
    fn recursion_through_blocks_and_includes_is_refused() {
        // A child's block includes its parent, whose body renders that block.
        let err = load(&[
            ("kpi-review.html", "{% block b %}{% endblock b %}"),
            (
                "report.html",
                "{% extends \"kpi-review.html\" %}{% block b %}{% include \"kpi-review.html\" %}{% endblock b %}",
            ),
        ])
        .err()
        .unwrap();
        assert!(err.contains("rendering would never end"), "{err}");
        assert!(err.contains("block `b` of `report.html`"), "{err}");
        assert!(
            err.starts_with("template /"),
            "names the user's file: {err}"
        );
        // Two templates including each other, the second only in a branch.
        let err = load(&[
            ("plan.html", "{% include \"report.html\" %}"),
            (
                "report.html",
                "{% if n %}{% include \"plan.html\" %}{% endif %}",
            ),
        ])
        .err()
        .unwrap();
        assert!(
            err.contains("`plan.html` → `report.html` → `plan.html`"),
            "{err}"
        );
        // (Templates importing each other are refused by tera itself: the first one added
        // names one not yet there.)
    }

    #[test]
    fn a_chain_of_macro_calls_deeper_than_the_limit_is_refused() {
        let chain = |n: usize| {
            let mut s = String::new();
            for i in 0..n {
                let call = if i + 1 < n {
                    format!("{{{{ self::m{}() }}}}", i + 1)
                } else {
                    "x".to_string()
                };
                s.push_str(&format!("{{% macro m{i}() %}}{call}{{% endmacro m{i} %}}"));
            }
            s + "{{ self::m0() }}"
        };
        // The template's body and 15 macros: 16 pieces.
        assert_eq!(
            render(&[("report.md", &chain(15))], "report.md").unwrap(),
            "x"
        );
        let err = load(&[("report.md", &chain(16))]).err().unwrap();
        assert!(err.contains("a chain of 17"), "{err}");
    }

    #[test]
    fn filter_sections_hold_no_loop() {
        let err = load(&[(
            "report.md",
            "{% if n %}{% filter upper %}{% if n %}{% include \"report.html\" %}{% endif %}{% endfilter %}{% endif %}",
        )])
        .err()
        .unwrap();
        assert!(
            err.contains("a `{% filter upper %}` section holds an `include`"),
            "{err}"
        );
        assert_eq!(
            render(
                &[("report.md", "{% filter upper %}a{{ n }}{% endfilter %}")],
                "report.md"
            )
            .unwrap(),
            "A3"
        );
    }

    #[test]
    fn what_a_rendering_builds_is_bounded() {
        // Nested values, as sizes grow: each level of `[a]` is a level of nesting.
        let deep = "{% set_global a = 1 %}{% for i in range(end=70) %}{% set_global a = [a] %}{% endfor %}x";
        assert!(
            render(&[("report.md", deep)], "report.md")
                .unwrap_err()
                .contains("nested more than 64 deep")
        );
        let replaced = "{% set_global s = \"aaaaaaaaaaaaaaaa\" %}{% for i in range(end=8) %}{% set_global s = s | replace(from=\"a\", to=s) %}{% endfor %}";
        assert!(
            render(&[("report.md", replaced)], "report.md")
                .unwrap_err()
                .contains("the output of `replace`")
        );
        let indented = "{% set_global s = \"a\nb\nc\nd\" %}{% for i in range(end=40) %}{% set_global s = s | indent(prefix=s) %}{% endfor %}";
        assert!(
            render(&[("report.md", indented)], "report.md")
                .unwrap_err()
                .contains("`indent`")
        );
        let ranges =
            "{% for i in range(end=2000) %}{% for j in range(end=1000) %}{% endfor %}{% endfor %}";
        assert!(
            render(&[("report.md", ranges)], "report.md")
                .unwrap_err()
                .contains("1000000 numbers allowed in all")
        );
        // Macros calling macros many times (each output is built in memory): each call's
        // output is checked.
        let fan = format!(
            "{{% macro a() %}}{{{{ range(end=100000) | join(sep=\"xxxxxxxxxxxxxxxxxxxx\") }}}}{{% endmacro a %}}{{% macro b() %}}{}{{% endmacro b %}}{{{{ self::b() }}}}",
            "{{ self::a() }}".repeat(10)
        );
        assert!(
            render(&[("report.md", &fan)], "report.md")
                .unwrap_err()
                .contains("a macro's output is larger than")
        );
    }

    #[test]
    fn macro_output_counts_against_the_rendering_total() {
        let _rendering = Rendering::start(0);
        with_budget(|b| b.macro_output_left = 100);
        let check = BoundedValue { macro_output: true };
        let args = |s: &str| HashMap::from([("value".to_string(), Value::String(s.into()))]);
        check.call(&args(&"x".repeat(60))).unwrap();
        let err = check.call(&args(&"x".repeat(60))).unwrap_err();
        assert!(err.to_string().contains("more output in memory"), "{err}");
    }

    #[test]
    fn the_rendered_output_stops_at_its_limit() {
        let mut bytes = Vec::new();
        let mut w = LimitedWriter::new(&mut bytes, 10);
        use std::io::Write;
        w.write_all(b"0123456789").unwrap();
        assert!(!w.exceeded());
        let err = w.write_all(b"x").unwrap_err();
        assert!(err.to_string().contains("10-byte limit"), "{err}");
        assert!(w.exceeded());
        assert_eq!(bytes, b"0123456789");
    }

    #[test]
    fn value_sizes_count_text_items_and_nesting() {
        let v = serde_json::json!({"ab": ["xyz", 1, null]});
        assert_eq!(
            size_of(&v, usize::MAX),
            Some(8 + 8 + 2 + 8 + (8 + 3) + (8 + 8) + (8 + 8))
        );
        assert_eq!(size_of(&v, 20), None);
    }
}
