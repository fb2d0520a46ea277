//! The man page: one page for `sct` and every command under it. A page per command would
//! need installing in step with the binary; one page cannot fall out of step, and it refers
//! to no page that does not exist (clap_mangen's own subcommand list names `sct-kpi(1)` and
//! the like).

use std::io::Write;

use clap::{Arg, Command};

/// The roff man page for `cmd` (the built command tree of `sct`).
pub fn render(cmd: Command) -> std::io::Result<Vec<u8>> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let page = clap_mangen::Man::new(cmd.clone());
    let mut roff = Vec::new();
    page.render_title(&mut roff)?;
    page.render_name_section(&mut roff)?;
    page.render_synopsis_section(&mut roff)?;
    page.render_description_section(&mut roff)?;
    page.render_options_section(&mut roff)?;
    writeln!(roff, ".SH COMMANDS")?;
    writeln!(
        roff,
        "Every command also takes the global options above, and \\fB\\-h\\fR, \\fB\\-\\-help\\fR."
    )?;
    for sub in visible(&cmd) {
        command_section(&mut roff, sub, cmd.get_name())?;
    }
    // clap_mangen heads sct's closing help "EXTRA"; it is exit statuses, files and an example.
    if let Some(after) = cmd.get_after_long_help().or(cmd.get_after_help()) {
        writeln!(roff, ".SH NOTES")?;
        preformatted(&mut roff, &after.to_string())?;
    }
    page.render_version_section(&mut roff)?;
    Ok(roff)
}

/// The subcommands a user sees.
fn visible(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

/// One command's subsection (`sct kpi review`): what it does, its usage, its own options
/// (not the global ones, said once above), then its subcommands', depth first.
fn command_section(roff: &mut Vec<u8>, cmd: &Command, parent: &str) -> std::io::Result<()> {
    let path = format!("{parent} {}", cmd.get_name());
    writeln!(roff, ".SS \"{}\"", escape(&path))?;
    if let Some(about) = cmd.get_long_about().or(cmd.get_about()) {
        paragraphs(roff, &about.to_string())?;
    }
    let own: Vec<&Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_global_set() && a.get_id() != "help")
        .collect();
    if !own.is_empty() {
        writeln!(roff, ".PP\n\\fIOptions and arguments:\\fR")?;
    }
    for arg in own {
        option_entry(roff, arg)?;
    }
    if let Some(after) = cmd.get_after_long_help().or(cmd.get_after_help()) {
        writeln!(roff, ".PP")?;
        preformatted(roff, &after.to_string())?;
    }
    for sub in visible(cmd) {
        command_section(roff, sub, &path)?;
    }
    Ok(())
}

/// One option or argument as a tagged paragraph: its spelling, then its help.
fn option_entry(roff: &mut Vec<u8>, arg: &Arg) -> std::io::Result<()> {
    let value = arg
        .get_value_names()
        .map(|names| names.iter().map(|n| format!(" {n}")).collect::<String>())
        .unwrap_or_default();
    let takes_value = arg.get_action().takes_values();
    let spelling = match (arg.get_short(), arg.get_long()) {
        (Some(s), Some(l)) => format!("-{s}, --{l}"),
        (Some(s), None) => format!("-{s}"),
        (None, Some(l)) => format!("--{l}"),
        (None, None) => format!("<{}>", arg.get_id()),
    };
    let spelling = if takes_value && arg.get_long().is_some() {
        format!("{spelling}{value}")
    } else {
        spelling
    };
    writeln!(roff, ".TP\n\\fB{}\\fR", escape(&spelling))?;
    let help = arg
        .get_long_help()
        .or(arg.get_help())
        .map(ToString::to_string)
        .unwrap_or_default();
    let possible: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    let mut text = help;
    if !possible.is_empty() && takes_value {
        text.push_str(&format!(" [possible values: {}]", possible.join(", ")));
    }
    paragraphs(roff, &text)
}

/// Text kept line for line (examples, tables of exit statuses).
fn preformatted(roff: &mut Vec<u8>, text: &str) -> std::io::Result<()> {
    writeln!(roff, ".nf")?;
    for line in text.lines() {
        writeln!(roff, "{}", escape_line(line))?;
    }
    writeln!(roff, ".fi")
}

/// Text as roff paragraphs, one per blank-line-separated block.
fn paragraphs(roff: &mut Vec<u8>, text: &str) -> std::io::Result<()> {
    for (i, block) in text.split("\n\n").enumerate() {
        if i > 0 {
            writeln!(roff, ".IP")?;
        }
        for line in block.lines() {
            writeln!(roff, "{}", escape_line(line))?;
        }
    }
    Ok(())
}

/// Text escaped for roff: backslashes and hyphens (so `--flag` is not typeset as a dash).
fn escape(text: &str) -> String {
    text.replace('\\', "\\e").replace('-', "\\-")
}

/// A line of text for roff: escaped, and kept from being read as a request when it starts
/// with a dot or a quote.
fn escape_line(line: &str) -> String {
    let escaped = escape(line);
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_roff_would_read_as_markup() {
        assert_eq!(escape_line(".hidden -x \\n"), "\\&.hidden \\-x \\en");
        assert_eq!(escape_line("'quoted"), "\\&'quoted");
        assert_eq!(escape_line("plain"), "plain");
    }
}
