// Buttons are one of their documented kinds, each with what it needs: a URL button has a URL.
use sentdm_client::types::TemplateButton;

fn main() {
    let _ = TemplateButton::url("Open");
}
