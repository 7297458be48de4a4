//! PLACEHOLDER: being written.
use crate::{Format, Input, Sink, Source, SourceError};

/// Importer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TelegramDesktop;

impl Source for TelegramDesktop {
    fn format(&self) -> Format {
        Format::ALL[0]
    }
    fn read(&self, _input: Input<'_>, _sink: &mut dyn Sink) -> Result<(), SourceError> {
        unimplemented!()
    }
}
