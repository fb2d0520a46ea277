//! `sct score`, `report`, `diff`, `chart`, `plan`, `validate`, `template` and `convert`: each parses
//! its arguments into the workflow's options, calls it and writes what it made.

use std::process::ExitCode;

use sct_workflows::assess::{self, CheckFormat, ImageFormat, ResponseFormat};
use sct_workflows::{Format, Session};

use crate::cli::{
    ApproveArgs, ApprovedFormat, AssessmentReportFormat, ChartArgs, ConvertArgs, DiffArgs,
    DiffFormat, PlanArgs, PlanFormat, ReportArgs, ScoreArgs, ScoreFormat, TemplateArgs,
    ValidateArgs,
};
use crate::error::CliError;
use crate::outputs::{emit_output, print_output};

/// `sct score`.
pub fn score(session: &Session, args: ScoreArgs) -> Result<ExitCode, CliError> {
    let options = assess::ScoreOptions {
        format: ScoreFormat::choose_checked(args.format, args.out.output.as_deref())?,
        response: args.response,
        as_of: args.as_of,
        strict: args.strict,
    };
    emit_output(&args.out, assess::score(session, &options)?)
}

/// `sct report`.
pub fn report(session: &Session, args: ReportArgs) -> Result<ExitCode, CliError> {
    let options = assess::ReportOptions {
        format: AssessmentReportFormat::choose_checked(args.format, args.out.output.as_deref())?,
        response: args.response,
        individuals: args.individuals,
        template_dir: args.template_dir,
        previous: args.previous,
        as_of: args.as_of,
        strict: args.strict,
    };
    emit_output(&args.out, assess::report(session, &options)?)
}

/// `sct diff`.
pub fn diff(session: &Session, args: DiffArgs) -> Result<ExitCode, CliError> {
    let options = sct_workflows::diff::DiffOptions {
        format: DiffFormat::choose_checked(args.format, args.out.output.as_deref())?,
        old: args.old,
        new: args.new,
    };
    emit_output(&args.out, sct_workflows::diff::diff(session, &options)?)
}

/// `sct chart`.
pub fn chart(session: &Session, args: ChartArgs) -> Result<ExitCode, CliError> {
    let options = assess::ChartOptions {
        format: ImageFormat::choose_checked(args.format, args.out.output.as_deref())?,
        kind: args.kind,
        response: args.response,
        domain: args.domain,
    };
    emit_output(&args.out, assess::chart(session, &options)?)
}

/// `sct plan`.
pub fn plan(session: &Session, args: PlanArgs) -> Result<ExitCode, CliError> {
    let options = assess::PlanOptions {
        format: PlanFormat::choose_checked(args.format, args.out.output.as_deref())?,
        response: args.response,
        individuals: args.individuals,
        against: args.against,
        template_dir: args.template_dir,
        as_of: args.as_of,
        strict: args.strict,
    };
    emit_output(&args.out, assess::plan(session, &options)?)
}

/// `sct validate`: the result on standard output.
pub fn validate(session: &Session, args: ValidateArgs) -> Result<ExitCode, CliError> {
    let options = assess::ValidateOptions {
        response: args.response,
        strict: args.strict,
        format: args.format,
    };
    let output = assess::validate(session, &options)?;
    print_output(output, options.format == CheckFormat::Text)
}

/// `sct template`.
pub fn template(session: &Session, args: TemplateArgs) -> Result<ExitCode, CliError> {
    let options = assess::TemplateOptions {
        format: ResponseFormat::choose_checked(args.format, args.out.output.as_deref())?,
        framework: args.framework,
        version: args.version,
        individual: args.individual,
        rater: args.rater.map(|name| sct_core::model::Rater {
            name,
            role: args.rater_role.unwrap_or_default(),
            email: args.rater_email.unwrap_or_default(),
        }),
        from: args.from,
        organisation: args.org,
        written_to: args.out.output.clone(),
    };
    emit_output(&args.out, assess::template(session, &options)?)
}

/// `sct convert`.
pub fn convert(session: &Session, args: ConvertArgs) -> Result<ExitCode, CliError> {
    let options = assess::ConvertOptions {
        format: ResponseFormat::for_conversion(args.format, args.out.output.as_deref())?,
        response: args.response,
    };
    emit_output(&args.out, assess::convert(session, &options)?)
}

/// `sct approve`: `--force` both replaces an existing output and approves a response that has
/// not been moderated; an approved response is never replaced.
pub fn approve(session: &Session, args: ApproveArgs) -> Result<ExitCode, CliError> {
    let options = sct_workflows::approve::ApproveOptions {
        format: ApprovedFormat::choose_checked(args.format, args.output.as_deref())?,
        response: args.response,
        by: args.by,
        on: args.on,
        minute: args.minute,
        force: args.force,
    };
    let out = crate::cli::OutputArgs {
        output: args.output,
        force: args.force,
    };
    emit_output(&out, sct_workflows::approve::approve(session, &options)?)
}
