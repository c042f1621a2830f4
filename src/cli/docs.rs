//! `plotline completions SHELL` and `plotline man`: shell completion scripts and manual pages,
//! both made from the command line's own definition, so they never drift from it.

use std::path::PathBuf;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::output::{emit, say};
use super::{Cli, ERROR};

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    pub shell: Shell,
}

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command into DIR (`plotline.1`, `plotline-validate.1`, ...)
    /// instead of printing the page of `plotline`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Prints the completion script for `shell`.
pub fn completions(args: CompletionsArgs) -> u8 {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "plotline", &mut script);
    let text = String::from_utf8_lossy(&script).into_owned();
    emit(None, [(String::new(), text)])
}

/// Prints the manual page of `plotline`, or writes every command's page into a directory.
pub fn man(args: ManArgs) -> u8 {
    let command = Cli::command();
    let mut pages = vec![("plotline.1".to_owned(), command.clone())];
    if args.out.is_some() {
        for sub in command.get_subcommands() {
            let name = format!("plotline-{}", sub.get_name());
            pages.push((format!("{name}.1"), sub.clone().name(name)));
        }
    }
    let mut files = Vec::new();
    for (file, page) in pages {
        let mut text = Vec::new();
        if let Err(error) = clap_mangen::Man::new(page).render(&mut text) {
            say!("error: cannot render {file}: {error}");
            return ERROR;
        }
        files.push((file, String::from_utf8_lossy(&text).into_owned()));
    }
    emit(args.out.as_deref(), files)
}
