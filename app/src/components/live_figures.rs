//! A project's figures that keep themselves current: rendered on the
//! server as they were, then (after hydration) updated from the project's
//! event stream (`GET /api/v1/posts/{id}/events`) as people back, withdraw
//! or the project ends. Without the stream the page keeps the rendered
//! figures; the browser's `EventSource` reconnects by itself. A project
//! that ended for good (cancelled or closed) never changes again: its page
//! opens no stream, and a stream that reports the end is closed (else the
//! browser would reconnect to it every few seconds).

use leptos::prelude::*;

use crate::model::Figures;

pub fn live_figures(project_id: i64, initial: Figures) -> ReadSignal<Figures> {
    let (figures, set_figures) = signal(initial);
    #[cfg(feature = "hydrate")]
    if !initial.status.is_final() {
        stream::follow(project_id, set_figures);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (project_id, set_figures);
    figures
}

#[cfg(feature = "hydrate")]
mod stream {
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, closure::Closure};
    use web_sys::{EventSource, MessageEvent};

    use crate::model::Figures;

    pub fn follow(project_id: i64, set_figures: WriteSignal<Figures>) {
        let Ok(source) = EventSource::new(&format!("/api/v1/posts/{project_id}/events")) else {
            return;
        };
        let this_source = source.clone();
        let on_figures = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(data) = event.data().as_string()
                && let Ok(figures) = serde_json::from_str::<Figures>(&data)
            {
                set_figures.set(figures);
                if figures.status.is_final() {
                    this_source.close();
                }
            }
        });
        if source
            .add_event_listener_with_callback("figures", on_figures.as_ref().unchecked_ref())
            .is_err()
        {
            source.close();
            return;
        }
        // Closed (and the callback freed) when the page goes away.
        let held = send_wrapper::SendWrapper::new((source, on_figures));
        on_cleanup(move || {
            let (source, _on_figures) = held.take();
            source.close();
        });
    }
}
