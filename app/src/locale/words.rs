//! Domain problems and refusals, which are codes with parameters, in words.
//! Only pages and the API's edge call these: the domain never chooses text.

use crate::{
    domain::{PostProblem, dates::date_text},
    i18n::td_string,
    locale::{Locale, format},
};

/// What a broken publishing rule means, in `l`.
pub fn post_problem(l: Locale, problem: &PostProblem) -> String {
    match problem {
        PostProblem::TitleLength { max } => {
            td_string!(l, problem.title_length, max = max).to_string()
        }
        PostProblem::PublisherNameLength { max } => {
            td_string!(l, problem.publisher_name_length, max = max).to_string()
        }
        PostProblem::ContentTooLong { max } => {
            let max = format::group_thousands(*max as u64);
            td_string!(l, problem.content_too_long, max = max).to_string()
        }
        PostProblem::TargetAmountNotAnAmount | PostProblem::PriceNotAnAmount => {
            td_string!(l, problem.not_an_amount).to_owned()
        }
        PostProblem::TargetAmountOutOfBound { min, max } => {
            td_string!(l, problem.target_out_of_bound, min = min, max = max).to_string()
        }
        PostProblem::TargetAmountImmutable => td_string!(l, problem.target_immutable).to_owned(),
        PostProblem::PriceOutOfBound { min, max } => {
            td_string!(l, problem.price_out_of_bound, min = min, max = max).to_string()
        }
        PostProblem::FinalDateNotADate => td_string!(l, problem.not_a_date).to_owned(),
        PostProblem::InvalidFinalDate { earliest, latest } => td_string!(
            l,
            problem.final_date_range,
            earliest = date_text(*earliest),
            latest = date_text(*latest)
        )
        .to_string(),
    }
}
