//! `sct template`.

use std::process::ExitCode;

use sct_core::model::ResponseType;
use sct_core::template::response_template;
use sct_core::{Error, Sct};

use crate::cli::TemplateArgs;
use crate::outputs::emit;

pub fn run(sct: &Sct, args: TemplateArgs) -> Result<ExitCode, Error> {
    let fw = sct.registry.get(&args.framework, args.version.as_deref())?;
    let response_type = if args.individual {
        ResponseType::Individual
    } else {
        ResponseType::Organisation
    };
    let text = if let Some(round) = fw.as_round() {
        let toolkit_file = sct.registry.get(
            round.toolkit.id.get_ref(),
            Some(round.toolkit.version.get_ref()),
        )?;
        let toolkit = toolkit_file
            .as_toolkit()
            .ok_or_else(|| Error::UnknownFramework {
                wanted: format!("capability toolkit {}", round.toolkit.id.get_ref()),
                known: "see `sct frameworks list`".into(),
            })?;
        response_template(toolkit_file, toolkit, Some((fw, round)), response_type)
    } else if let Some(toolkit) = fw.as_toolkit() {
        response_template(fw, toolkit, None, response_type)
    } else {
        return Err(Error::UnknownFramework {
            wanted: format!(
                "a round or capability toolkit called {} ({} is a {} framework)",
                args.framework,
                fw.id(),
                fw.header.kind
            ),
            known: "see `sct frameworks list`".into(),
        });
    };
    emit(&args.out, &text, &[])?;
    Ok(ExitCode::SUCCESS)
}
