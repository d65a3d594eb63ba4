"""Bank holidays per nation, written by `python -m scheduling.calendar` from the `holidays`
package (do not edit; see `scheduling.calendar.bank_holidays`)."""

HOLIDAYS_VERSION = '0.109'
#: nation -> one line per bank holiday: its date's ordinal, a space, its name (one string
#: per nation, so the module compiles in a millisecond).
BANK_HOLIDAYS: dict[str, str] = {
    'england': """\
729755 New Year's Day
729846 Good Friday
729849 Easter Monday
729877 May Day
729905 Spring Bank Holiday
729996 Late Summer Bank Holiday
730113 Christmas Day
730114 Boxing Day
730115 Christmas Day (observed)
730116 Boxing Day (observed)
730119 Millennium Celebrations
730120 New Year's Day
730122 New Year's Day (observed)
730231 Good Friday
730234 Easter Monday
730241 May Day
730269 Spring Bank Holiday
730360 Late Summer Bank Holiday
730479 Christmas Day
730480 Boxing Day
730486 New Year's Day
730588 Good Friday
730591 Easter Monday
730612 May Day
730633 Spring Bank Holiday
730724 Late Summer Bank Holiday
730844 Christmas Day
730845 Boxing Day
730851 New Year's Day
730938 Good Friday
730941 Easter Monday
730976 May Day
731004 Golden Jubilee of Elizabeth II
731005 Spring Bank Holiday
731088 Late Summer Bank Holiday
731209 Christmas Day
731210 Boxing Day
731216 New Year's Day
731323 Good Friday
731326 Easter Monday
731340 May Day
731361 Spring Bank Holiday
731452 Late Summer Bank Holiday
731574 Christmas Day
731575 Boxing Day
731581 New Year's Day
731680 Good Friday
731683 Easter Monday
731704 May Day
731732 Spring Bank Holiday
731823 Late Summer Bank Holiday
731940 Christmas Day
731941 Boxing Day
731942 Christmas Day (observed)
731943 Boxing Day (observed)
731947 New Year's Day
731949 New Year's Day (observed)
732030 Good Friday
732033 Easter Monday
732068 May Day
732096 Spring Bank Holiday
732187 Late Summer Bank Holiday
732305 Christmas Day
732306 Boxing Day
732307 Christmas Day (observed)
732312 New Year's Day
732313 New Year's Day (observed)
732415 Good Friday
732418 Easter Monday
732432 May Day
732460 Spring Bank Holiday
732551 Late Summer Bank Holiday
732670 Christmas Day
732671 Boxing Day
732677 New Year's Day
732772 Good Friday
732775 Easter Monday
732803 May Day
732824 Spring Bank Holiday
732915 Late Summer Bank Holiday
733035 Christmas Day
733036 Boxing Day
733042 New Year's Day
733122 Good Friday
733125 Easter Monday
733167 May Day
733188 Spring Bank Holiday
733279 Late Summer Bank Holiday
733401 Christmas Day
733402 Boxing Day
733408 New Year's Day
733507 Good Friday
733510 Easter Monday
733531 May Day
733552 Spring Bank Holiday
733650 Late Summer Bank Holiday
733766 Christmas Day
733767 Boxing Day
733769 Boxing Day (observed)
733773 New Year's Day
733864 Good Friday
733867 Easter Monday
733895 May Day
733923 Spring Bank Holiday
734014 Late Summer Bank Holiday
734131 Christmas Day
734132 Boxing Day
734133 Christmas Day (observed)
734134 Boxing Day (observed)
734138 New Year's Day
734140 New Year's Day (observed)
734249 Good Friday
734252 Easter Monday
734256 Wedding of William and Catherine
734259 May Day
734287 Spring Bank Holiday
734378 Late Summer Bank Holiday
734496 Christmas Day
734497 Boxing Day
734498 Christmas Day (observed)
734503 New Year's Day
734504 New Year's Day (observed)
734599 Good Friday
734602 Easter Monday
734630 May Day
734658 Spring Bank Holiday
734659 Diamond Jubilee of Elizabeth II
734742 Late Summer Bank Holiday
734862 Christmas Day
734863 Boxing Day
734869 New Year's Day
734956 Good Friday
734959 Easter Monday
734994 May Day
735015 Spring Bank Holiday
735106 Late Summer Bank Holiday
735227 Christmas Day
735228 Boxing Day
735234 New Year's Day
735341 Good Friday
735344 Easter Monday
735358 May Day
735379 Spring Bank Holiday
735470 Late Summer Bank Holiday
735592 Christmas Day
735593 Boxing Day
735599 New Year's Day
735691 Good Friday
735694 Easter Monday
735722 May Day
735743 Spring Bank Holiday
735841 Late Summer Bank Holiday
735957 Christmas Day
735958 Boxing Day
735960 Boxing Day (observed)
735964 New Year's Day
736048 Good Friday
736051 Easter Monday
736086 May Day
736114 Spring Bank Holiday
736205 Late Summer Bank Holiday
736323 Christmas Day
736324 Boxing Day
736325 Christmas Day (observed)
736330 New Year's Day
736331 New Year's Day (observed)
736433 Good Friday
736436 Easter Monday
736450 May Day
736478 Spring Bank Holiday
736569 Late Summer Bank Holiday
736688 Christmas Day
736689 Boxing Day
736695 New Year's Day
736783 Good Friday
736786 Easter Monday
736821 May Day
736842 Spring Bank Holiday
736933 Late Summer Bank Holiday
737053 Christmas Day
737054 Boxing Day
737060 New Year's Day
737168 Good Friday
737171 Easter Monday
737185 May Day
737206 Spring Bank Holiday
737297 Late Summer Bank Holiday
737418 Christmas Day
737419 Boxing Day
737425 New Year's Day
737525 Good Friday
737528 Easter Monday
737553 May Day
737570 Spring Bank Holiday
737668 Late Summer Bank Holiday
737784 Christmas Day
737785 Boxing Day
737787 Boxing Day (observed)
737791 New Year's Day
737882 Good Friday
737885 Easter Monday
737913 May Day
737941 Spring Bank Holiday
738032 Late Summer Bank Holiday
738149 Christmas Day
738150 Boxing Day
738151 Christmas Day (observed)
738152 Boxing Day (observed)
738156 New Year's Day
738158 New Year's Day (observed)
738260 Good Friday
738263 Easter Monday
738277 May Day
738308 Spring Bank Holiday
738309 Platinum Jubilee of Elizabeth II
738396 Late Summer Bank Holiday
738417 State Funeral of Queen Elizabeth II
738514 Christmas Day
738515 Boxing Day
738516 Christmas Day (observed)
738521 New Year's Day
738522 New Year's Day (observed)
738617 Good Friday
738620 Easter Monday
738641 May Day
738648 Coronation of Charles III
738669 Spring Bank Holiday
738760 Late Summer Bank Holiday
738879 Christmas Day
738880 Boxing Day
738886 New Year's Day
738974 Good Friday
738977 Easter Monday
739012 May Day
739033 Spring Bank Holiday
739124 Late Summer Bank Holiday
739245 Christmas Day
739246 Boxing Day
739252 New Year's Day
739359 Good Friday
739362 Easter Monday
739376 May Day
739397 Spring Bank Holiday
739488 Late Summer Bank Holiday
739610 Christmas Day
739611 Boxing Day
739617 New Year's Day
739709 Good Friday
739712 Easter Monday
739740 May Day
739761 Spring Bank Holiday
739859 Late Summer Bank Holiday
739975 Christmas Day
739976 Boxing Day
739978 Boxing Day (observed)
739982 New Year's Day
740066 Good Friday
740069 Easter Monday
740104 May Day
740132 Spring Bank Holiday
740223 Late Summer Bank Holiday
740340 Christmas Day
740341 Boxing Day
740342 Christmas Day (observed)
740343 Boxing Day (observed)
740347 New Year's Day
740349 New Year's Day (observed)
740451 Good Friday
740454 Easter Monday
740468 May Day
740496 Spring Bank Holiday
740587 Late Summer Bank Holiday
740706 Christmas Day
740707 Boxing Day
740713 New Year's Day
740801 Good Friday
740804 Easter Monday
740839 May Day
740860 Spring Bank Holiday
740951 Late Summer Bank Holiday
741071 Christmas Day
741072 Boxing Day
741078 New Year's Day
741186 Good Friday
741189 Easter Monday
741203 May Day
741224 Spring Bank Holiday
741315 Late Summer Bank Holiday
741436 Christmas Day
741437 Boxing Day
741443 New Year's Day
741543 Good Friday
741546 Easter Monday
741567 May Day
741588 Spring Bank Holiday
741679 Late Summer Bank Holiday
741801 Christmas Day
741802 Boxing Day
741808 New Year's Day
741893 Good Friday
741896 Easter Monday
741931 May Day
741959 Spring Bank Holiday
742050 Late Summer Bank Holiday
742167 Christmas Day
742168 Boxing Day
742169 Christmas Day (observed)
742170 Boxing Day (observed)
742174 New Year's Day
742176 New Year's Day (observed)
742278 Good Friday
742281 Easter Monday
742295 May Day
742323 Spring Bank Holiday
742414 Late Summer Bank Holiday
742532 Christmas Day
742533 Boxing Day
742534 Christmas Day (observed)
742539 New Year's Day
742540 New Year's Day (observed)
742635 Good Friday
742638 Easter Monday
742659 May Day
742687 Spring Bank Holiday
742778 Late Summer Bank Holiday
742897 Christmas Day
742898 Boxing Day
742904 New Year's Day
742985 Good Friday
742988 Easter Monday
743030 May Day
743051 Spring Bank Holiday
743142 Late Summer Bank Holiday
743262 Christmas Day
743263 Boxing Day
743269 New Year's Day
743370 Good Friday
743373 Easter Monday
743394 May Day
743415 Spring Bank Holiday
743506 Late Summer Bank Holiday
743628 Christmas Day
743629 Boxing Day
743635 New Year's Day
743727 Good Friday
743730 Easter Monday
743758 May Day
743779 Spring Bank Holiday
743877 Late Summer Bank Holiday
743993 Christmas Day
743994 Boxing Day
743996 Boxing Day (observed)
744000 New Year's Day
744112 Good Friday
744115 Easter Monday
744122 May Day
744150 Spring Bank Holiday
744241 Late Summer Bank Holiday
744358 Christmas Day
744359 Boxing Day
744360 Christmas Day (observed)
744361 Boxing Day (observed)
744365 New Year's Day
744367 New Year's Day (observed)
744462 Good Friday
744465 Easter Monday
744486 May Day
744514 Spring Bank Holiday
744605 Late Summer Bank Holiday
744723 Christmas Day
744724 Boxing Day
744725 Christmas Day (observed)
744730 New Year's Day
744731 New Year's Day (observed)
744819 Good Friday
744822 Easter Monday
744857 May Day
744878 Spring Bank Holiday
744969 Late Summer Bank Holiday
745089 Christmas Day
745090 Boxing Day
745096 New Year's Day
745204 Good Friday
745207 Easter Monday
745221 May Day
745242 Spring Bank Holiday
745333 Late Summer Bank Holiday
745454 Christmas Day
745455 Boxing Day
745461 New Year's Day
745554 Good Friday
745557 Easter Monday
745585 May Day
745606 Spring Bank Holiday
745697 Late Summer Bank Holiday
745819 Christmas Day
745820 Boxing Day
745826 New Year's Day
745911 Good Friday
745914 Easter Monday
745949 May Day
745970 Spring Bank Holiday
746068 Late Summer Bank Holiday
746184 Christmas Day
746185 Boxing Day
746187 Boxing Day (observed)
746191 New Year's Day
746296 Good Friday
746299 Easter Monday
746313 May Day
746341 Spring Bank Holiday
746432 Late Summer Bank Holiday
746550 Christmas Day
746551 Boxing Day
746552 Christmas Day (observed)
746557 New Year's Day
746558 New Year's Day (observed)
746653 Good Friday
746656 Easter Monday
746677 May Day
746705 Spring Bank Holiday
746796 Late Summer Bank Holiday
746915 Christmas Day
746916 Boxing Day
746922 New Year's Day
747003 Good Friday
747006 Easter Monday
747048 May Day
747069 Spring Bank Holiday
747160 Late Summer Bank Holiday
747280 Christmas Day
747281 Boxing Day
747287 New Year's Day
747388 Good Friday
747391 Easter Monday
747412 May Day
747433 Spring Bank Holiday
747524 Late Summer Bank Holiday
747645 Christmas Day
747646 Boxing Day
747652 New Year's Day
747745 Good Friday
747748 Easter Monday
747776 May Day
747797 Spring Bank Holiday
747895 Late Summer Bank Holiday
748011 Christmas Day
748012 Boxing Day
748014 Boxing Day (observed)
748018 New Year's Day
748123 Good Friday
748126 Easter Monday
748140 May Day
748168 Spring Bank Holiday
748259 Late Summer Bank Holiday
748376 Christmas Day
748377 Boxing Day
748378 Christmas Day (observed)
748379 Boxing Day (observed)
748383 New Year's Day
748385 New Year's Day (observed)
748480 Good Friday
748483 Easter Monday
748504 May Day
748532 Spring Bank Holiday
748623 Late Summer Bank Holiday
748741 Christmas Day
748742 Boxing Day
748743 Christmas Day (observed)
748748 New Year's Day
748749 New Year's Day (observed)
748837 Good Friday
748840 Easter Monday
748868 May Day
748896 Spring Bank Holiday
748987 Late Summer Bank Holiday
749106 Christmas Day
749107 Boxing Day
749113 New Year's Day
749222 Good Friday
749225 Easter Monday
749239 May Day
749260 Spring Bank Holiday
749351 Late Summer Bank Holiday
749472 Christmas Day
749473 Boxing Day
749479 New Year's Day
749572 Good Friday
749575 Easter Monday
749603 May Day
749624 Spring Bank Holiday
749715 Late Summer Bank Holiday
749837 Christmas Day
749838 Boxing Day
749844 New Year's Day
749929 Good Friday
749932 Easter Monday
749967 May Day
749988 Spring Bank Holiday
750086 Late Summer Bank Holiday
750202 Christmas Day
750203 Boxing Day
750205 Boxing Day (observed)
750209 New Year's Day
750314 Good Friday
750317 Easter Monday
750331 May Day
750359 Spring Bank Holiday
750450 Late Summer Bank Holiday
750567 Christmas Day
750568 Boxing Day
750569 Christmas Day (observed)
750570 Boxing Day (observed)
750574 New Year's Day
750576 New Year's Day (observed)
750664 Good Friday
750667 Easter Monday
750695 May Day
750723 Spring Bank Holiday
750814 Late Summer Bank Holiday
750933 Christmas Day
750934 Boxing Day
750940 New Year's Day
751049 Good Friday
751052 Easter Monday
751066 May Day
751087 Spring Bank Holiday
751178 Late Summer Bank Holiday
751298 Christmas Day
751299 Boxing Day
751305 New Year's Day
751406 Good Friday
751409 Easter Monday
751430 May Day
751451 Spring Bank Holiday
751542 Late Summer Bank Holiday
751663 Christmas Day
751664 Boxing Day
751670 New Year's Day
751756 Good Friday
751759 Easter Monday
751794 May Day
751815 Spring Bank Holiday
751906 Late Summer Bank Holiday
752028 Christmas Day
752029 Boxing Day
752035 New Year's Day
752141 Good Friday
752144 Easter Monday
752158 May Day
752186 Spring Bank Holiday
752277 Late Summer Bank Holiday
752394 Christmas Day
752395 Boxing Day
752396 Christmas Day (observed)
752397 Boxing Day (observed)
752401 New Year's Day
752403 New Year's Day (observed)
752498 Good Friday
752501 Easter Monday
752522 May Day
752550 Spring Bank Holiday
752641 Late Summer Bank Holiday
752759 Christmas Day
752760 Boxing Day
752761 Christmas Day (observed)
752766 New Year's Day
752767 New Year's Day (observed)
752848 Good Friday
752851 Easter Monday
752886 May Day
752914 Spring Bank Holiday
753005 Late Summer Bank Holiday
753124 Christmas Day
753125 Boxing Day
753131 New Year's Day
753233 Good Friday
753236 Easter Monday
753257 May Day
753278 Spring Bank Holiday
753369 Late Summer Bank Holiday
753489 Christmas Day
753490 Boxing Day
753496 New Year's Day
753590 Good Friday
753593 Easter Monday
753621 May Day
753642 Spring Bank Holiday
753733 Late Summer Bank Holiday
753855 Christmas Day
753856 Boxing Day
753862 New Year's Day
753947 Good Friday
753950 Easter Monday
753985 May Day
754006 Spring Bank Holiday
754104 Late Summer Bank Holiday
754220 Christmas Day
754221 Boxing Day
754223 Boxing Day (observed)
754227 New Year's Day
754325 Good Friday
754328 Easter Monday
754349 May Day
754377 Spring Bank Holiday
754468 Late Summer Bank Holiday
754585 Christmas Day
754586 Boxing Day
754587 Christmas Day (observed)
754588 Boxing Day (observed)
754592 New Year's Day
754594 New Year's Day (observed)
754682 Good Friday
754685 Easter Monday
754713 May Day
754741 Spring Bank Holiday
754832 Late Summer Bank Holiday
754950 Christmas Day
754951 Boxing Day
754952 Christmas Day (observed)
754957 New Year's Day
754958 New Year's Day (observed)
755067 Good Friday
755070 Easter Monday
755084 May Day
755105 Spring Bank Holiday
755196 Late Summer Bank Holiday
755316 Christmas Day
755317 Boxing Day
755323 New Year's Day
755424 Good Friday
755427 Easter Monday
755448 May Day
755469 Spring Bank Holiday
755560 Late Summer Bank Holiday
755681 Christmas Day
755682 Boxing Day
755688 New Year's Day
755774 Good Friday
755777 Easter Monday
755812 May Day
755833 Spring Bank Holiday
755924 Late Summer Bank Holiday
756046 Christmas Day
756047 Boxing Day
756053 New Year's Day
756159 Good Friday
756162 Easter Monday
756176 May Day
756197 Spring Bank Holiday
756295 Late Summer Bank Holiday
756411 Christmas Day
756412 Boxing Day
756414 Boxing Day (observed)
756418 New Year's Day
756516 Good Friday
756519 Easter Monday
756540 May Day
756568 Spring Bank Holiday
756659 Late Summer Bank Holiday
756777 Christmas Day
756778 Boxing Day
756779 Christmas Day (observed)
756784 New Year's Day
756785 New Year's Day (observed)
756866 Good Friday
756869 Easter Monday
756904 May Day
756932 Spring Bank Holiday
757023 Late Summer Bank Holiday
757142 Christmas Day
757143 Boxing Day
757149 New Year's Day
757251 Good Friday
757254 Easter Monday
757275 May Day
757296 Spring Bank Holiday
757387 Late Summer Bank Holiday
757507 Christmas Day
757508 Boxing Day
757514 New Year's Day
757608 Good Friday
757611 Easter Monday
757639 May Day
757660 Spring Bank Holiday
757751 Late Summer Bank Holiday
757872 Christmas Day
757873 Boxing Day
757879 New Year's Day
757986 Good Friday
757989 Easter Monday
758003 May Day
758024 Spring Bank Holiday
758122 Late Summer Bank Holiday
758238 Christmas Day
758239 Boxing Day
758241 Boxing Day (observed)
758245 New Year's Day
758343 Good Friday
758346 Easter Monday
758367 May Day
758395 Spring Bank Holiday
758486 Late Summer Bank Holiday
758603 Christmas Day
758604 Boxing Day
758605 Christmas Day (observed)
758606 Boxing Day (observed)
758610 New Year's Day
758612 New Year's Day (observed)
758700 Good Friday
758703 Easter Monday
758731 May Day
758759 Spring Bank Holiday
758850 Late Summer Bank Holiday
758968 Christmas Day
758969 Boxing Day
758970 Christmas Day (observed)
""",
    'wales': """\
729755 New Year's Day
729846 Good Friday
729849 Easter Monday
729877 May Day
729905 Spring Bank Holiday
729996 Late Summer Bank Holiday
730113 Christmas Day
730114 Boxing Day
730115 Christmas Day (observed)
730116 Boxing Day (observed)
730119 Millennium Celebrations
730120 New Year's Day
730122 New Year's Day (observed)
730231 Good Friday
730234 Easter Monday
730241 May Day
730269 Spring Bank Holiday
730360 Late Summer Bank Holiday
730479 Christmas Day
730480 Boxing Day
730486 New Year's Day
730588 Good Friday
730591 Easter Monday
730612 May Day
730633 Spring Bank Holiday
730724 Late Summer Bank Holiday
730844 Christmas Day
730845 Boxing Day
730851 New Year's Day
730938 Good Friday
730941 Easter Monday
730976 May Day
731004 Golden Jubilee of Elizabeth II
731005 Spring Bank Holiday
731088 Late Summer Bank Holiday
731209 Christmas Day
731210 Boxing Day
731216 New Year's Day
731323 Good Friday
731326 Easter Monday
731340 May Day
731361 Spring Bank Holiday
731452 Late Summer Bank Holiday
731574 Christmas Day
731575 Boxing Day
731581 New Year's Day
731680 Good Friday
731683 Easter Monday
731704 May Day
731732 Spring Bank Holiday
731823 Late Summer Bank Holiday
731940 Christmas Day
731941 Boxing Day
731942 Christmas Day (observed)
731943 Boxing Day (observed)
731947 New Year's Day
731949 New Year's Day (observed)
732030 Good Friday
732033 Easter Monday
732068 May Day
732096 Spring Bank Holiday
732187 Late Summer Bank Holiday
732305 Christmas Day
732306 Boxing Day
732307 Christmas Day (observed)
732312 New Year's Day
732313 New Year's Day (observed)
732415 Good Friday
732418 Easter Monday
732432 May Day
732460 Spring Bank Holiday
732551 Late Summer Bank Holiday
732670 Christmas Day
732671 Boxing Day
732677 New Year's Day
732772 Good Friday
732775 Easter Monday
732803 May Day
732824 Spring Bank Holiday
732915 Late Summer Bank Holiday
733035 Christmas Day
733036 Boxing Day
733042 New Year's Day
733122 Good Friday
733125 Easter Monday
733167 May Day
733188 Spring Bank Holiday
733279 Late Summer Bank Holiday
733401 Christmas Day
733402 Boxing Day
733408 New Year's Day
733507 Good Friday
733510 Easter Monday
733531 May Day
733552 Spring Bank Holiday
733650 Late Summer Bank Holiday
733766 Christmas Day
733767 Boxing Day
733769 Boxing Day (observed)
733773 New Year's Day
733864 Good Friday
733867 Easter Monday
733895 May Day
733923 Spring Bank Holiday
734014 Late Summer Bank Holiday
734131 Christmas Day
734132 Boxing Day
734133 Christmas Day (observed)
734134 Boxing Day (observed)
734138 New Year's Day
734140 New Year's Day (observed)
734249 Good Friday
734252 Easter Monday
734256 Wedding of William and Catherine
734259 May Day
734287 Spring Bank Holiday
734378 Late Summer Bank Holiday
734496 Christmas Day
734497 Boxing Day
734498 Christmas Day (observed)
734503 New Year's Day
734504 New Year's Day (observed)
734599 Good Friday
734602 Easter Monday
734630 May Day
734658 Spring Bank Holiday
734659 Diamond Jubilee of Elizabeth II
734742 Late Summer Bank Holiday
734862 Christmas Day
734863 Boxing Day
734869 New Year's Day
734956 Good Friday
734959 Easter Monday
734994 May Day
735015 Spring Bank Holiday
735106 Late Summer Bank Holiday
735227 Christmas Day
735228 Boxing Day
735234 New Year's Day
735341 Good Friday
735344 Easter Monday
735358 May Day
735379 Spring Bank Holiday
735470 Late Summer Bank Holiday
735592 Christmas Day
735593 Boxing Day
735599 New Year's Day
735691 Good Friday
735694 Easter Monday
735722 May Day
735743 Spring Bank Holiday
735841 Late Summer Bank Holiday
735957 Christmas Day
735958 Boxing Day
735960 Boxing Day (observed)
735964 New Year's Day
736048 Good Friday
736051 Easter Monday
736086 May Day
736114 Spring Bank Holiday
736205 Late Summer Bank Holiday
736323 Christmas Day
736324 Boxing Day
736325 Christmas Day (observed)
736330 New Year's Day
736331 New Year's Day (observed)
736433 Good Friday
736436 Easter Monday
736450 May Day
736478 Spring Bank Holiday
736569 Late Summer Bank Holiday
736688 Christmas Day
736689 Boxing Day
736695 New Year's Day
736783 Good Friday
736786 Easter Monday
736821 May Day
736842 Spring Bank Holiday
736933 Late Summer Bank Holiday
737053 Christmas Day
737054 Boxing Day
737060 New Year's Day
737168 Good Friday
737171 Easter Monday
737185 May Day
737206 Spring Bank Holiday
737297 Late Summer Bank Holiday
737418 Christmas Day
737419 Boxing Day
737425 New Year's Day
737525 Good Friday
737528 Easter Monday
737553 May Day
737570 Spring Bank Holiday
737668 Late Summer Bank Holiday
737784 Christmas Day
737785 Boxing Day
737787 Boxing Day (observed)
737791 New Year's Day
737882 Good Friday
737885 Easter Monday
737913 May Day
737941 Spring Bank Holiday
738032 Late Summer Bank Holiday
738149 Christmas Day
738150 Boxing Day
738151 Christmas Day (observed)
738152 Boxing Day (observed)
738156 New Year's Day
738158 New Year's Day (observed)
738260 Good Friday
738263 Easter Monday
738277 May Day
738308 Spring Bank Holiday
738309 Platinum Jubilee of Elizabeth II
738396 Late Summer Bank Holiday
738417 State Funeral of Queen Elizabeth II
738514 Christmas Day
738515 Boxing Day
738516 Christmas Day (observed)
738521 New Year's Day
738522 New Year's Day (observed)
738617 Good Friday
738620 Easter Monday
738641 May Day
738648 Coronation of Charles III
738669 Spring Bank Holiday
738760 Late Summer Bank Holiday
738879 Christmas Day
738880 Boxing Day
738886 New Year's Day
738974 Good Friday
738977 Easter Monday
739012 May Day
739033 Spring Bank Holiday
739124 Late Summer Bank Holiday
739245 Christmas Day
739246 Boxing Day
739252 New Year's Day
739359 Good Friday
739362 Easter Monday
739376 May Day
739397 Spring Bank Holiday
739488 Late Summer Bank Holiday
739610 Christmas Day
739611 Boxing Day
739617 New Year's Day
739709 Good Friday
739712 Easter Monday
739740 May Day
739761 Spring Bank Holiday
739859 Late Summer Bank Holiday
739975 Christmas Day
739976 Boxing Day
739978 Boxing Day (observed)
739982 New Year's Day
740066 Good Friday
740069 Easter Monday
740104 May Day
740132 Spring Bank Holiday
740223 Late Summer Bank Holiday
740340 Christmas Day
740341 Boxing Day
740342 Christmas Day (observed)
740343 Boxing Day (observed)
740347 New Year's Day
740349 New Year's Day (observed)
740451 Good Friday
740454 Easter Monday
740468 May Day
740496 Spring Bank Holiday
740587 Late Summer Bank Holiday
740706 Christmas Day
740707 Boxing Day
740713 New Year's Day
740801 Good Friday
740804 Easter Monday
740839 May Day
740860 Spring Bank Holiday
740951 Late Summer Bank Holiday
741071 Christmas Day
741072 Boxing Day
741078 New Year's Day
741186 Good Friday
741189 Easter Monday
741203 May Day
741224 Spring Bank Holiday
741315 Late Summer Bank Holiday
741436 Christmas Day
741437 Boxing Day
741443 New Year's Day
741543 Good Friday
741546 Easter Monday
741567 May Day
741588 Spring Bank Holiday
741679 Late Summer Bank Holiday
741801 Christmas Day
741802 Boxing Day
741808 New Year's Day
741893 Good Friday
741896 Easter Monday
741931 May Day
741959 Spring Bank Holiday
742050 Late Summer Bank Holiday
742167 Christmas Day
742168 Boxing Day
742169 Christmas Day (observed)
742170 Boxing Day (observed)
742174 New Year's Day
742176 New Year's Day (observed)
742278 Good Friday
742281 Easter Monday
742295 May Day
742323 Spring Bank Holiday
742414 Late Summer Bank Holiday
742532 Christmas Day
742533 Boxing Day
742534 Christmas Day (observed)
742539 New Year's Day
742540 New Year's Day (observed)
742635 Good Friday
742638 Easter Monday
742659 May Day
742687 Spring Bank Holiday
742778 Late Summer Bank Holiday
742897 Christmas Day
742898 Boxing Day
742904 New Year's Day
742985 Good Friday
742988 Easter Monday
743030 May Day
743051 Spring Bank Holiday
743142 Late Summer Bank Holiday
743262 Christmas Day
743263 Boxing Day
743269 New Year's Day
743370 Good Friday
743373 Easter Monday
743394 May Day
743415 Spring Bank Holiday
743506 Late Summer Bank Holiday
743628 Christmas Day
743629 Boxing Day
743635 New Year's Day
743727 Good Friday
743730 Easter Monday
743758 May Day
743779 Spring Bank Holiday
743877 Late Summer Bank Holiday
743993 Christmas Day
743994 Boxing Day
743996 Boxing Day (observed)
744000 New Year's Day
744112 Good Friday
744115 Easter Monday
744122 May Day
744150 Spring Bank Holiday
744241 Late Summer Bank Holiday
744358 Christmas Day
744359 Boxing Day
744360 Christmas Day (observed)
744361 Boxing Day (observed)
744365 New Year's Day
744367 New Year's Day (observed)
744462 Good Friday
744465 Easter Monday
744486 May Day
744514 Spring Bank Holiday
744605 Late Summer Bank Holiday
744723 Christmas Day
744724 Boxing Day
744725 Christmas Day (observed)
744730 New Year's Day
744731 New Year's Day (observed)
744819 Good Friday
744822 Easter Monday
744857 May Day
744878 Spring Bank Holiday
744969 Late Summer Bank Holiday
745089 Christmas Day
745090 Boxing Day
745096 New Year's Day
745204 Good Friday
745207 Easter Monday
745221 May Day
745242 Spring Bank Holiday
745333 Late Summer Bank Holiday
745454 Christmas Day
745455 Boxing Day
745461 New Year's Day
745554 Good Friday
745557 Easter Monday
745585 May Day
745606 Spring Bank Holiday
745697 Late Summer Bank Holiday
745819 Christmas Day
745820 Boxing Day
745826 New Year's Day
745911 Good Friday
745914 Easter Monday
745949 May Day
745970 Spring Bank Holiday
746068 Late Summer Bank Holiday
746184 Christmas Day
746185 Boxing Day
746187 Boxing Day (observed)
746191 New Year's Day
746296 Good Friday
746299 Easter Monday
746313 May Day
746341 Spring Bank Holiday
746432 Late Summer Bank Holiday
746550 Christmas Day
746551 Boxing Day
746552 Christmas Day (observed)
746557 New Year's Day
746558 New Year's Day (observed)
746653 Good Friday
746656 Easter Monday
746677 May Day
746705 Spring Bank Holiday
746796 Late Summer Bank Holiday
746915 Christmas Day
746916 Boxing Day
746922 New Year's Day
747003 Good Friday
747006 Easter Monday
747048 May Day
747069 Spring Bank Holiday
747160 Late Summer Bank Holiday
747280 Christmas Day
747281 Boxing Day
747287 New Year's Day
747388 Good Friday
747391 Easter Monday
747412 May Day
747433 Spring Bank Holiday
747524 Late Summer Bank Holiday
747645 Christmas Day
747646 Boxing Day
747652 New Year's Day
747745 Good Friday
747748 Easter Monday
747776 May Day
747797 Spring Bank Holiday
747895 Late Summer Bank Holiday
748011 Christmas Day
748012 Boxing Day
748014 Boxing Day (observed)
748018 New Year's Day
748123 Good Friday
748126 Easter Monday
748140 May Day
748168 Spring Bank Holiday
748259 Late Summer Bank Holiday
748376 Christmas Day
748377 Boxing Day
748378 Christmas Day (observed)
748379 Boxing Day (observed)
748383 New Year's Day
748385 New Year's Day (observed)
748480 Good Friday
748483 Easter Monday
748504 May Day
748532 Spring Bank Holiday
748623 Late Summer Bank Holiday
748741 Christmas Day
748742 Boxing Day
748743 Christmas Day (observed)
748748 New Year's Day
748749 New Year's Day (observed)
748837 Good Friday
748840 Easter Monday
748868 May Day
748896 Spring Bank Holiday
748987 Late Summer Bank Holiday
749106 Christmas Day
749107 Boxing Day
749113 New Year's Day
749222 Good Friday
749225 Easter Monday
749239 May Day
749260 Spring Bank Holiday
749351 Late Summer Bank Holiday
749472 Christmas Day
749473 Boxing Day
749479 New Year's Day
749572 Good Friday
749575 Easter Monday
749603 May Day
749624 Spring Bank Holiday
749715 Late Summer Bank Holiday
749837 Christmas Day
749838 Boxing Day
749844 New Year's Day
749929 Good Friday
749932 Easter Monday
749967 May Day
749988 Spring Bank Holiday
750086 Late Summer Bank Holiday
750202 Christmas Day
750203 Boxing Day
750205 Boxing Day (observed)
750209 New Year's Day
750314 Good Friday
750317 Easter Monday
750331 May Day
750359 Spring Bank Holiday
750450 Late Summer Bank Holiday
750567 Christmas Day
750568 Boxing Day
750569 Christmas Day (observed)
750570 Boxing Day (observed)
750574 New Year's Day
750576 New Year's Day (observed)
750664 Good Friday
750667 Easter Monday
750695 May Day
750723 Spring Bank Holiday
750814 Late Summer Bank Holiday
750933 Christmas Day
750934 Boxing Day
750940 New Year's Day
751049 Good Friday
751052 Easter Monday
751066 May Day
751087 Spring Bank Holiday
751178 Late Summer Bank Holiday
751298 Christmas Day
751299 Boxing Day
751305 New Year's Day
751406 Good Friday
751409 Easter Monday
751430 May Day
751451 Spring Bank Holiday
751542 Late Summer Bank Holiday
751663 Christmas Day
751664 Boxing Day
751670 New Year's Day
751756 Good Friday
751759 Easter Monday
751794 May Day
751815 Spring Bank Holiday
751906 Late Summer Bank Holiday
752028 Christmas Day
752029 Boxing Day
752035 New Year's Day
752141 Good Friday
752144 Easter Monday
752158 May Day
752186 Spring Bank Holiday
752277 Late Summer Bank Holiday
752394 Christmas Day
752395 Boxing Day
752396 Christmas Day (observed)
752397 Boxing Day (observed)
752401 New Year's Day
752403 New Year's Day (observed)
752498 Good Friday
752501 Easter Monday
752522 May Day
752550 Spring Bank Holiday
752641 Late Summer Bank Holiday
752759 Christmas Day
752760 Boxing Day
752761 Christmas Day (observed)
752766 New Year's Day
752767 New Year's Day (observed)
752848 Good Friday
752851 Easter Monday
752886 May Day
752914 Spring Bank Holiday
753005 Late Summer Bank Holiday
753124 Christmas Day
753125 Boxing Day
753131 New Year's Day
753233 Good Friday
753236 Easter Monday
753257 May Day
753278 Spring Bank Holiday
753369 Late Summer Bank Holiday
753489 Christmas Day
753490 Boxing Day
753496 New Year's Day
753590 Good Friday
753593 Easter Monday
753621 May Day
753642 Spring Bank Holiday
753733 Late Summer Bank Holiday
753855 Christmas Day
753856 Boxing Day
753862 New Year's Day
753947 Good Friday
753950 Easter Monday
753985 May Day
754006 Spring Bank Holiday
754104 Late Summer Bank Holiday
754220 Christmas Day
754221 Boxing Day
754223 Boxing Day (observed)
754227 New Year's Day
754325 Good Friday
754328 Easter Monday
754349 May Day
754377 Spring Bank Holiday
754468 Late Summer Bank Holiday
754585 Christmas Day
754586 Boxing Day
754587 Christmas Day (observed)
754588 Boxing Day (observed)
754592 New Year's Day
754594 New Year's Day (observed)
754682 Good Friday
754685 Easter Monday
754713 May Day
754741 Spring Bank Holiday
754832 Late Summer Bank Holiday
754950 Christmas Day
754951 Boxing Day
754952 Christmas Day (observed)
754957 New Year's Day
754958 New Year's Day (observed)
755067 Good Friday
755070 Easter Monday
755084 May Day
755105 Spring Bank Holiday
755196 Late Summer Bank Holiday
755316 Christmas Day
755317 Boxing Day
755323 New Year's Day
755424 Good Friday
755427 Easter Monday
755448 May Day
755469 Spring Bank Holiday
755560 Late Summer Bank Holiday
755681 Christmas Day
755682 Boxing Day
755688 New Year's Day
755774 Good Friday
755777 Easter Monday
755812 May Day
755833 Spring Bank Holiday
755924 Late Summer Bank Holiday
756046 Christmas Day
756047 Boxing Day
756053 New Year's Day
756159 Good Friday
756162 Easter Monday
756176 May Day
756197 Spring Bank Holiday
756295 Late Summer Bank Holiday
756411 Christmas Day
756412 Boxing Day
756414 Boxing Day (observed)
756418 New Year's Day
756516 Good Friday
756519 Easter Monday
756540 May Day
756568 Spring Bank Holiday
756659 Late Summer Bank Holiday
756777 Christmas Day
756778 Boxing Day
756779 Christmas Day (observed)
756784 New Year's Day
756785 New Year's Day (observed)
756866 Good Friday
756869 Easter Monday
756904 May Day
756932 Spring Bank Holiday
757023 Late Summer Bank Holiday
757142 Christmas Day
757143 Boxing Day
757149 New Year's Day
757251 Good Friday
757254 Easter Monday
757275 May Day
757296 Spring Bank Holiday
757387 Late Summer Bank Holiday
757507 Christmas Day
757508 Boxing Day
757514 New Year's Day
757608 Good Friday
757611 Easter Monday
757639 May Day
757660 Spring Bank Holiday
757751 Late Summer Bank Holiday
757872 Christmas Day
757873 Boxing Day
757879 New Year's Day
757986 Good Friday
757989 Easter Monday
758003 May Day
758024 Spring Bank Holiday
758122 Late Summer Bank Holiday
758238 Christmas Day
758239 Boxing Day
758241 Boxing Day (observed)
758245 New Year's Day
758343 Good Friday
758346 Easter Monday
758367 May Day
758395 Spring Bank Holiday
758486 Late Summer Bank Holiday
758603 Christmas Day
758604 Boxing Day
758605 Christmas Day (observed)
758606 Boxing Day (observed)
758610 New Year's Day
758612 New Year's Day (observed)
758700 Good Friday
758703 Easter Monday
758731 May Day
758759 Spring Bank Holiday
758850 Late Summer Bank Holiday
758968 Christmas Day
758969 Boxing Day
758970 Christmas Day (observed)
""",
    'scotland': """\
729755 New Year's Day
729756 New Year Holiday
729758 New Year Holiday (observed)
729846 Good Friday
729877 May Day
729905 Spring Bank Holiday
729968 Summer Bank Holiday
730113 Christmas Day
730114 Boxing Day
730115 Christmas Day (observed)
730116 Boxing Day (observed)
730119 Millennium Celebrations
730120 New Year's Day
730121 New Year Holiday
730122 New Year's Day (observed)
730123 New Year Holiday (observed)
730231 Good Friday
730241 May Day
730269 Spring Bank Holiday
730339 Summer Bank Holiday
730479 Christmas Day
730480 Boxing Day
730486 New Year's Day
730487 New Year Holiday
730588 Good Friday
730612 May Day
730633 Spring Bank Holiday
730703 Summer Bank Holiday
730844 Christmas Day
730845 Boxing Day
730851 New Year's Day
730852 New Year Holiday
730938 Good Friday
730976 May Day
731004 Golden Jubilee of Elizabeth II
731005 Spring Bank Holiday
731067 Summer Bank Holiday
731209 Christmas Day
731210 Boxing Day
731216 New Year's Day
731217 New Year Holiday
731323 Good Friday
731340 May Day
731361 Spring Bank Holiday
731431 Summer Bank Holiday
731574 Christmas Day
731575 Boxing Day
731581 New Year's Day
731582 New Year Holiday
731680 Good Friday
731704 May Day
731732 Spring Bank Holiday
731795 Summer Bank Holiday
731940 Christmas Day
731941 Boxing Day
731942 Christmas Day (observed)
731943 Boxing Day (observed)
731947 New Year's Day
731948 New Year Holiday
731949 New Year's Day (observed)
731950 New Year Holiday (observed)
732030 Good Friday
732068 May Day
732096 Spring Bank Holiday
732159 Summer Bank Holiday
732305 Christmas Day
732306 Boxing Day
732307 Christmas Day (observed)
732312 New Year's Day
732313 New Year Holiday; New Year's Day (observed)
732314 New Year Holiday (observed)
732415 Good Friday
732432 May Day
732460 Spring Bank Holiday
732530 Summer Bank Holiday
732645 Saint Andrew's Day
732670 Christmas Day
732671 Boxing Day
732677 New Year's Day
732678 New Year Holiday
732772 Good Friday
732803 May Day
732824 Spring Bank Holiday
732894 Summer Bank Holiday
733010 Saint Andrew's Day
733035 Christmas Day
733036 Boxing Day
733042 New Year's Day
733043 New Year Holiday
733122 Good Friday
733167 May Day
733188 Spring Bank Holiday
733258 Summer Bank Holiday
733376 Saint Andrew's Day
733377 Saint Andrew's Day (observed)
733401 Christmas Day
733402 Boxing Day
733408 New Year's Day
733409 New Year Holiday
733507 Good Friday
733531 May Day
733552 Spring Bank Holiday
733622 Summer Bank Holiday
733741 Saint Andrew's Day
733766 Christmas Day
733767 Boxing Day
733769 Boxing Day (observed)
733773 New Year's Day
733774 New Year Holiday
733776 New Year Holiday (observed)
733864 Good Friday
733895 May Day
733923 Spring Bank Holiday
733986 Summer Bank Holiday
734106 Saint Andrew's Day
734131 Christmas Day
734132 Boxing Day
734133 Christmas Day (observed)
734134 Boxing Day (observed)
734138 New Year's Day
734139 New Year Holiday
734140 New Year's Day (observed)
734141 New Year Holiday (observed)
734249 Good Friday
734256 Wedding of William and Catherine
734259 May Day
734287 Spring Bank Holiday
734350 Summer Bank Holiday
734471 Saint Andrew's Day
734496 Christmas Day
734497 Boxing Day
734498 Christmas Day (observed)
734503 New Year's Day
734504 New Year Holiday; New Year's Day (observed)
734505 New Year Holiday (observed)
734599 Good Friday
734630 May Day
734658 Spring Bank Holiday
734659 Diamond Jubilee of Elizabeth II
734721 Summer Bank Holiday
734837 Saint Andrew's Day
734862 Christmas Day
734863 Boxing Day
734869 New Year's Day
734870 New Year Holiday
734956 Good Friday
734994 May Day
735015 Spring Bank Holiday
735085 Summer Bank Holiday
735202 Saint Andrew's Day
735204 Saint Andrew's Day (observed)
735227 Christmas Day
735228 Boxing Day
735234 New Year's Day
735235 New Year Holiday
735341 Good Friday
735358 May Day
735379 Spring Bank Holiday
735449 Summer Bank Holiday
735567 Saint Andrew's Day
735568 Saint Andrew's Day (observed)
735592 Christmas Day
735593 Boxing Day
735599 New Year's Day
735600 New Year Holiday
735691 Good Friday
735722 May Day
735743 Spring Bank Holiday
735813 Summer Bank Holiday
735932 Saint Andrew's Day
735957 Christmas Day
735958 Boxing Day
735960 Boxing Day (observed)
735964 New Year's Day
735965 New Year Holiday
735967 New Year Holiday (observed)
736048 Good Friday
736086 May Day
736114 Spring Bank Holiday
736177 Summer Bank Holiday
736298 Saint Andrew's Day
736323 Christmas Day
736324 Boxing Day
736325 Christmas Day (observed)
736330 New Year's Day
736331 New Year Holiday; New Year's Day (observed)
736332 New Year Holiday (observed)
736433 Good Friday
736450 May Day
736478 Spring Bank Holiday
736548 Summer Bank Holiday
736663 Saint Andrew's Day
736688 Christmas Day
736689 Boxing Day
736695 New Year's Day
736696 New Year Holiday
736783 Good Friday
736821 May Day
736842 Spring Bank Holiday
736912 Summer Bank Holiday
737028 Saint Andrew's Day
737053 Christmas Day
737054 Boxing Day
737060 New Year's Day
737061 New Year Holiday
737168 Good Friday
737185 May Day
737206 Spring Bank Holiday
737276 Summer Bank Holiday
737393 Saint Andrew's Day
737395 Saint Andrew's Day (observed)
737418 Christmas Day
737419 Boxing Day
737425 New Year's Day
737426 New Year Holiday
737525 Good Friday
737553 May Day
737570 Spring Bank Holiday
737640 Summer Bank Holiday
737759 Saint Andrew's Day
737784 Christmas Day
737785 Boxing Day
737787 Boxing Day (observed)
737791 New Year's Day
737792 New Year Holiday
737794 New Year Holiday (observed)
737882 Good Friday
737913 May Day
737941 Spring Bank Holiday
738004 Summer Bank Holiday
738124 Saint Andrew's Day
738149 Christmas Day
738150 Boxing Day
738151 Christmas Day (observed)
738152 Boxing Day (observed)
738156 New Year's Day
738157 New Year Holiday
738158 New Year's Day (observed)
738159 New Year Holiday (observed)
738260 Good Friday
738277 May Day
738308 Spring Bank Holiday
738309 Platinum Jubilee of Elizabeth II
738368 Summer Bank Holiday
738417 State Funeral of Queen Elizabeth II
738489 Saint Andrew's Day
738514 Christmas Day
738515 Boxing Day
738516 Christmas Day (observed)
738521 New Year's Day
738522 New Year Holiday; New Year's Day (observed)
738523 New Year Holiday (observed)
738617 Good Friday
738641 May Day
738648 Coronation of Charles III
738669 Spring Bank Holiday
738739 Summer Bank Holiday
738854 Saint Andrew's Day
738879 Christmas Day
738880 Boxing Day
738886 New Year's Day
738887 New Year Holiday
738974 Good Friday
739012 May Day
739033 Spring Bank Holiday
739103 Summer Bank Holiday
739220 Saint Andrew's Day
739222 Saint Andrew's Day (observed)
739245 Christmas Day
739246 Boxing Day
739252 New Year's Day
739253 New Year Holiday
739359 Good Friday
739376 May Day
739397 Spring Bank Holiday
739467 Summer Bank Holiday
739585 Saint Andrew's Day
739586 Saint Andrew's Day (observed)
739610 Christmas Day
739611 Boxing Day
739617 New Year's Day
739618 New Year Holiday
739709 Good Friday
739740 May Day
739761 Spring Bank Holiday
739782 Scotland's participation in the FIFA World Cup final
739831 Summer Bank Holiday
739950 Saint Andrew's Day
739975 Christmas Day
739976 Boxing Day
739978 Boxing Day (observed)
739982 New Year's Day
739983 New Year Holiday
739985 New Year Holiday (observed)
740066 Good Friday
740104 May Day
740132 Spring Bank Holiday
740195 Summer Bank Holiday
740315 Saint Andrew's Day
740340 Christmas Day
740341 Boxing Day
740342 Christmas Day (observed)
740343 Boxing Day (observed)
740347 New Year's Day
740348 New Year Holiday
740349 New Year's Day (observed)
740350 New Year Holiday (observed)
740451 Good Friday
740468 May Day
740496 Spring Bank Holiday
740566 Summer Bank Holiday
740681 Saint Andrew's Day
740706 Christmas Day
740707 Boxing Day
740713 New Year's Day
740714 New Year Holiday
740801 Good Friday
740839 May Day
740860 Spring Bank Holiday
740930 Summer Bank Holiday
741046 Saint Andrew's Day
741071 Christmas Day
741072 Boxing Day
741078 New Year's Day
741079 New Year Holiday
741186 Good Friday
741203 May Day
741224 Spring Bank Holiday
741294 Summer Bank Holiday
741411 Saint Andrew's Day
741413 Saint Andrew's Day (observed)
741436 Christmas Day
741437 Boxing Day
741443 New Year's Day
741444 New Year Holiday
741543 Good Friday
741567 May Day
741588 Spring Bank Holiday
741658 Summer Bank Holiday
741776 Saint Andrew's Day
741777 Saint Andrew's Day (observed)
741801 Christmas Day
741802 Boxing Day
741808 New Year's Day
741809 New Year Holiday
741893 Good Friday
741931 May Day
741959 Spring Bank Holiday
742022 Summer Bank Holiday
742142 Saint Andrew's Day
742167 Christmas Day
742168 Boxing Day
742169 Christmas Day (observed)
742170 Boxing Day (observed)
742174 New Year's Day
742175 New Year Holiday
742176 New Year's Day (observed)
742177 New Year Holiday (observed)
742278 Good Friday
742295 May Day
742323 Spring Bank Holiday
742386 Summer Bank Holiday
742507 Saint Andrew's Day
742532 Christmas Day
742533 Boxing Day
742534 Christmas Day (observed)
742539 New Year's Day
742540 New Year Holiday; New Year's Day (observed)
742541 New Year Holiday (observed)
742635 Good Friday
742659 May Day
742687 Spring Bank Holiday
742757 Summer Bank Holiday
742872 Saint Andrew's Day
742897 Christmas Day
742898 Boxing Day
742904 New Year's Day
742905 New Year Holiday
742985 Good Friday
743030 May Day
743051 Spring Bank Holiday
743121 Summer Bank Holiday
743237 Saint Andrew's Day
743262 Christmas Day
743263 Boxing Day
743269 New Year's Day
743270 New Year Holiday
743370 Good Friday
743394 May Day
743415 Spring Bank Holiday
743485 Summer Bank Holiday
743603 Saint Andrew's Day
743604 Saint Andrew's Day (observed)
743628 Christmas Day
743629 Boxing Day
743635 New Year's Day
743636 New Year Holiday
743727 Good Friday
743758 May Day
743779 Spring Bank Holiday
743849 Summer Bank Holiday
743968 Saint Andrew's Day
743993 Christmas Day
743994 Boxing Day
743996 Boxing Day (observed)
744000 New Year's Day
744001 New Year Holiday
744003 New Year Holiday (observed)
744112 Good Friday
744122 May Day
744150 Spring Bank Holiday
744213 Summer Bank Holiday
744333 Saint Andrew's Day
744358 Christmas Day
744359 Boxing Day
744360 Christmas Day (observed)
744361 Boxing Day (observed)
744365 New Year's Day
744366 New Year Holiday
744367 New Year's Day (observed)
744368 New Year Holiday (observed)
744462 Good Friday
744486 May Day
744514 Spring Bank Holiday
744577 Summer Bank Holiday
744698 Saint Andrew's Day
744723 Christmas Day
744724 Boxing Day
744725 Christmas Day (observed)
744730 New Year's Day
744731 New Year Holiday; New Year's Day (observed)
744732 New Year Holiday (observed)
744819 Good Friday
744857 May Day
744878 Spring Bank Holiday
744948 Summer Bank Holiday
745064 Saint Andrew's Day
745089 Christmas Day
745090 Boxing Day
745096 New Year's Day
745097 New Year Holiday
745204 Good Friday
745221 May Day
745242 Spring Bank Holiday
745312 Summer Bank Holiday
745429 Saint Andrew's Day
745431 Saint Andrew's Day (observed)
745454 Christmas Day
745455 Boxing Day
745461 New Year's Day
745462 New Year Holiday
745554 Good Friday
745585 May Day
745606 Spring Bank Holiday
745676 Summer Bank Holiday
745794 Saint Andrew's Day
745795 Saint Andrew's Day (observed)
745819 Christmas Day
745820 Boxing Day
745826 New Year's Day
745827 New Year Holiday
745911 Good Friday
745949 May Day
745970 Spring Bank Holiday
746040 Summer Bank Holiday
746159 Saint Andrew's Day
746184 Christmas Day
746185 Boxing Day
746187 Boxing Day (observed)
746191 New Year's Day
746192 New Year Holiday
746194 New Year Holiday (observed)
746296 Good Friday
746313 May Day
746341 Spring Bank Holiday
746404 Summer Bank Holiday
746525 Saint Andrew's Day
746550 Christmas Day
746551 Boxing Day
746552 Christmas Day (observed)
746557 New Year's Day
746558 New Year Holiday; New Year's Day (observed)
746559 New Year Holiday (observed)
746653 Good Friday
746677 May Day
746705 Spring Bank Holiday
746775 Summer Bank Holiday
746890 Saint Andrew's Day
746915 Christmas Day
746916 Boxing Day
746922 New Year's Day
746923 New Year Holiday
747003 Good Friday
747048 May Day
747069 Spring Bank Holiday
747139 Summer Bank Holiday
747255 Saint Andrew's Day
747280 Christmas Day
747281 Boxing Day
747287 New Year's Day
747288 New Year Holiday
747388 Good Friday
747412 May Day
747433 Spring Bank Holiday
747503 Summer Bank Holiday
747620 Saint Andrew's Day
747622 Saint Andrew's Day (observed)
747645 Christmas Day
747646 Boxing Day
747652 New Year's Day
747653 New Year Holiday
747745 Good Friday
747776 May Day
747797 Spring Bank Holiday
747867 Summer Bank Holiday
747986 Saint Andrew's Day
748011 Christmas Day
748012 Boxing Day
748014 Boxing Day (observed)
748018 New Year's Day
748019 New Year Holiday
748021 New Year Holiday (observed)
748123 Good Friday
748140 May Day
748168 Spring Bank Holiday
748231 Summer Bank Holiday
748351 Saint Andrew's Day
748376 Christmas Day
748377 Boxing Day
748378 Christmas Day (observed)
748379 Boxing Day (observed)
748383 New Year's Day
748384 New Year Holiday
748385 New Year's Day (observed)
748386 New Year Holiday (observed)
748480 Good Friday
748504 May Day
748532 Spring Bank Holiday
748595 Summer Bank Holiday
748716 Saint Andrew's Day
748741 Christmas Day
748742 Boxing Day
748743 Christmas Day (observed)
748748 New Year's Day
748749 New Year Holiday; New Year's Day (observed)
748750 New Year Holiday (observed)
748837 Good Friday
748868 May Day
748896 Spring Bank Holiday
748966 Summer Bank Holiday
749081 Saint Andrew's Day
749106 Christmas Day
749107 Boxing Day
749113 New Year's Day
749114 New Year Holiday
749222 Good Friday
749239 May Day
749260 Spring Bank Holiday
749330 Summer Bank Holiday
749447 Saint Andrew's Day
749449 Saint Andrew's Day (observed)
749472 Christmas Day
749473 Boxing Day
749479 New Year's Day
749480 New Year Holiday
749572 Good Friday
749603 May Day
749624 Spring Bank Holiday
749694 Summer Bank Holiday
749812 Saint Andrew's Day
749813 Saint Andrew's Day (observed)
749837 Christmas Day
749838 Boxing Day
749844 New Year's Day
749845 New Year Holiday
749929 Good Friday
749967 May Day
749988 Spring Bank Holiday
750058 Summer Bank Holiday
750177 Saint Andrew's Day
750202 Christmas Day
750203 Boxing Day
750205 Boxing Day (observed)
750209 New Year's Day
750210 New Year Holiday
750212 New Year Holiday (observed)
750314 Good Friday
750331 May Day
750359 Spring Bank Holiday
750422 Summer Bank Holiday
750542 Saint Andrew's Day
750567 Christmas Day
750568 Boxing Day
750569 Christmas Day (observed)
750570 Boxing Day (observed)
750574 New Year's Day
750575 New Year Holiday
750576 New Year's Day (observed)
750577 New Year Holiday (observed)
750664 Good Friday
750695 May Day
750723 Spring Bank Holiday
750793 Summer Bank Holiday
750908 Saint Andrew's Day
750933 Christmas Day
750934 Boxing Day
750940 New Year's Day
750941 New Year Holiday
751049 Good Friday
751066 May Day
751087 Spring Bank Holiday
751157 Summer Bank Holiday
751273 Saint Andrew's Day
751298 Christmas Day
751299 Boxing Day
751305 New Year's Day
751306 New Year Holiday
751406 Good Friday
751430 May Day
751451 Spring Bank Holiday
751521 Summer Bank Holiday
751638 Saint Andrew's Day
751640 Saint Andrew's Day (observed)
751663 Christmas Day
751664 Boxing Day
751670 New Year's Day
751671 New Year Holiday
751756 Good Friday
751794 May Day
751815 Spring Bank Holiday
751885 Summer Bank Holiday
752003 Saint Andrew's Day
752004 Saint Andrew's Day (observed)
752028 Christmas Day
752029 Boxing Day
752035 New Year's Day
752036 New Year Holiday
752141 Good Friday
752158 May Day
752186 Spring Bank Holiday
752249 Summer Bank Holiday
752369 Saint Andrew's Day
752394 Christmas Day
752395 Boxing Day
752396 Christmas Day (observed)
752397 Boxing Day (observed)
752401 New Year's Day
752402 New Year Holiday
752403 New Year's Day (observed)
752404 New Year Holiday (observed)
752498 Good Friday
752522 May Day
752550 Spring Bank Holiday
752613 Summer Bank Holiday
752734 Saint Andrew's Day
752759 Christmas Day
752760 Boxing Day
752761 Christmas Day (observed)
752766 New Year's Day
752767 New Year Holiday; New Year's Day (observed)
752768 New Year Holiday (observed)
752848 Good Friday
752886 May Day
752914 Spring Bank Holiday
752984 Summer Bank Holiday
753099 Saint Andrew's Day
753124 Christmas Day
753125 Boxing Day
753131 New Year's Day
753132 New Year Holiday
753233 Good Friday
753257 May Day
753278 Spring Bank Holiday
753348 Summer Bank Holiday
753464 Saint Andrew's Day
753489 Christmas Day
753490 Boxing Day
753496 New Year's Day
753497 New Year Holiday
753590 Good Friday
753621 May Day
753642 Spring Bank Holiday
753712 Summer Bank Holiday
753830 Saint Andrew's Day
753831 Saint Andrew's Day (observed)
753855 Christmas Day
753856 Boxing Day
753862 New Year's Day
753863 New Year Holiday
753947 Good Friday
753985 May Day
754006 Spring Bank Holiday
754076 Summer Bank Holiday
754195 Saint Andrew's Day
754220 Christmas Day
754221 Boxing Day
754223 Boxing Day (observed)
754227 New Year's Day
754228 New Year Holiday
754230 New Year Holiday (observed)
754325 Good Friday
754349 May Day
754377 Spring Bank Holiday
754440 Summer Bank Holiday
754560 Saint Andrew's Day
754585 Christmas Day
754586 Boxing Day
754587 Christmas Day (observed)
754588 Boxing Day (observed)
754592 New Year's Day
754593 New Year Holiday
754594 New Year's Day (observed)
754595 New Year Holiday (observed)
754682 Good Friday
754713 May Day
754741 Spring Bank Holiday
754804 Summer Bank Holiday
754925 Saint Andrew's Day
754950 Christmas Day
754951 Boxing Day
754952 Christmas Day (observed)
754957 New Year's Day
754958 New Year Holiday; New Year's Day (observed)
754959 New Year Holiday (observed)
755067 Good Friday
755084 May Day
755105 Spring Bank Holiday
755175 Summer Bank Holiday
755291 Saint Andrew's Day
755316 Christmas Day
755317 Boxing Day
755323 New Year's Day
755324 New Year Holiday
755424 Good Friday
755448 May Day
755469 Spring Bank Holiday
755539 Summer Bank Holiday
755656 Saint Andrew's Day
755658 Saint Andrew's Day (observed)
755681 Christmas Day
755682 Boxing Day
755688 New Year's Day
755689 New Year Holiday
755774 Good Friday
755812 May Day
755833 Spring Bank Holiday
755903 Summer Bank Holiday
756021 Saint Andrew's Day
756022 Saint Andrew's Day (observed)
756046 Christmas Day
756047 Boxing Day
756053 New Year's Day
756054 New Year Holiday
756159 Good Friday
756176 May Day
756197 Spring Bank Holiday
756267 Summer Bank Holiday
756386 Saint Andrew's Day
756411 Christmas Day
756412 Boxing Day
756414 Boxing Day (observed)
756418 New Year's Day
756419 New Year Holiday
756421 New Year Holiday (observed)
756516 Good Friday
756540 May Day
756568 Spring Bank Holiday
756631 Summer Bank Holiday
756752 Saint Andrew's Day
756777 Christmas Day
756778 Boxing Day
756779 Christmas Day (observed)
756784 New Year's Day
756785 New Year Holiday; New Year's Day (observed)
756786 New Year Holiday (observed)
756866 Good Friday
756904 May Day
756932 Spring Bank Holiday
757002 Summer Bank Holiday
757117 Saint Andrew's Day
757142 Christmas Day
757143 Boxing Day
757149 New Year's Day
757150 New Year Holiday
757251 Good Friday
757275 May Day
757296 Spring Bank Holiday
757366 Summer Bank Holiday
757482 Saint Andrew's Day
757507 Christmas Day
757508 Boxing Day
757514 New Year's Day
757515 New Year Holiday
757608 Good Friday
757639 May Day
757660 Spring Bank Holiday
757730 Summer Bank Holiday
757847 Saint Andrew's Day
757849 Saint Andrew's Day (observed)
757872 Christmas Day
757873 Boxing Day
757879 New Year's Day
757880 New Year Holiday
757986 Good Friday
758003 May Day
758024 Spring Bank Holiday
758094 Summer Bank Holiday
758213 Saint Andrew's Day
758238 Christmas Day
758239 Boxing Day
758241 Boxing Day (observed)
758245 New Year's Day
758246 New Year Holiday
758248 New Year Holiday (observed)
758343 Good Friday
758367 May Day
758395 Spring Bank Holiday
758458 Summer Bank Holiday
758578 Saint Andrew's Day
758603 Christmas Day
758604 Boxing Day
758605 Christmas Day (observed)
758606 Boxing Day (observed)
758610 New Year's Day
758611 New Year Holiday
758612 New Year's Day (observed)
758613 New Year Holiday (observed)
758700 Good Friday
758731 May Day
758759 Spring Bank Holiday
758822 Summer Bank Holiday
758943 Saint Andrew's Day
758968 Christmas Day
758969 Boxing Day
758970 Christmas Day (observed)
""",
    'northern-ireland': """\
729755 New Year's Day
729830 Saint Patrick's Day
729846 Good Friday
729849 Easter Monday
729877 May Day
729905 Spring Bank Holiday
729947 Battle of the Boyne
729996 Late Summer Bank Holiday
730113 Christmas Day
730114 Boxing Day
730115 Christmas Day (observed)
730116 Boxing Day (observed)
730119 Millennium Celebrations
730120 New Year's Day
730122 New Year's Day (observed)
730196 Saint Patrick's Day
730231 Good Friday
730234 Easter Monday
730241 May Day
730269 Spring Bank Holiday
730313 Battle of the Boyne
730360 Late Summer Bank Holiday
730479 Christmas Day
730480 Boxing Day
730486 New Year's Day
730561 Saint Patrick's Day
730563 Saint Patrick's Day (observed)
730588 Good Friday
730591 Easter Monday
730612 May Day
730633 Spring Bank Holiday
730678 Battle of the Boyne
730724 Late Summer Bank Holiday
730844 Christmas Day
730845 Boxing Day
730851 New Year's Day
730926 Saint Patrick's Day
730927 Saint Patrick's Day (observed)
730938 Good Friday
730941 Easter Monday
730976 May Day
731004 Golden Jubilee of Elizabeth II
731005 Spring Bank Holiday
731043 Battle of the Boyne
731088 Late Summer Bank Holiday
731209 Christmas Day
731210 Boxing Day
731216 New Year's Day
731291 Saint Patrick's Day
731323 Good Friday
731326 Easter Monday
731340 May Day
731361 Spring Bank Holiday
731408 Battle of the Boyne
731410 Battle of the Boyne (observed)
731452 Late Summer Bank Holiday
731574 Christmas Day
731575 Boxing Day
731581 New Year's Day
731657 Saint Patrick's Day
731680 Good Friday
731683 Easter Monday
731704 May Day
731732 Spring Bank Holiday
731774 Battle of the Boyne
731823 Late Summer Bank Holiday
731940 Christmas Day
731941 Boxing Day
731942 Christmas Day (observed)
731943 Boxing Day (observed)
731947 New Year's Day
731949 New Year's Day (observed)
732022 Saint Patrick's Day
732030 Good Friday
732033 Easter Monday
732068 May Day
732096 Spring Bank Holiday
732139 Battle of the Boyne
732187 Late Summer Bank Holiday
732305 Christmas Day
732306 Boxing Day
732307 Christmas Day (observed)
732312 New Year's Day
732313 New Year's Day (observed)
732387 Saint Patrick's Day
732415 Good Friday
732418 Easter Monday
732432 May Day
732460 Spring Bank Holiday
732504 Battle of the Boyne
732551 Late Summer Bank Holiday
732670 Christmas Day
732671 Boxing Day
732677 New Year's Day
732752 Saint Patrick's Day
732754 Saint Patrick's Day (observed)
732772 Good Friday
732775 Easter Monday
732803 May Day
732824 Spring Bank Holiday
732869 Battle of the Boyne
732915 Late Summer Bank Holiday
733035 Christmas Day
733036 Boxing Day
733042 New Year's Day
733118 Saint Patrick's Day
733122 Good Friday
733125 Easter Monday
733167 May Day
733188 Spring Bank Holiday
733235 Battle of the Boyne
733237 Battle of the Boyne (observed)
733279 Late Summer Bank Holiday
733401 Christmas Day
733402 Boxing Day
733408 New Year's Day
733483 Saint Patrick's Day
733507 Good Friday
733510 Easter Monday
733531 May Day
733552 Spring Bank Holiday
733600 Battle of the Boyne
733601 Battle of the Boyne (observed)
733650 Late Summer Bank Holiday
733766 Christmas Day
733767 Boxing Day
733769 Boxing Day (observed)
733773 New Year's Day
733848 Saint Patrick's Day
733864 Good Friday
733867 Easter Monday
733895 May Day
733923 Spring Bank Holiday
733965 Battle of the Boyne
734014 Late Summer Bank Holiday
734131 Christmas Day
734132 Boxing Day
734133 Christmas Day (observed)
734134 Boxing Day (observed)
734138 New Year's Day
734140 New Year's Day (observed)
734213 Saint Patrick's Day
734249 Good Friday
734252 Easter Monday
734256 Wedding of William and Catherine
734259 May Day
734287 Spring Bank Holiday
734330 Battle of the Boyne
734378 Late Summer Bank Holiday
734496 Christmas Day
734497 Boxing Day
734498 Christmas Day (observed)
734503 New Year's Day
734504 New Year's Day (observed)
734579 Saint Patrick's Day
734581 Saint Patrick's Day (observed)
734599 Good Friday
734602 Easter Monday
734630 May Day
734658 Spring Bank Holiday
734659 Diamond Jubilee of Elizabeth II
734696 Battle of the Boyne
734742 Late Summer Bank Holiday
734862 Christmas Day
734863 Boxing Day
734869 New Year's Day
734944 Saint Patrick's Day
734945 Saint Patrick's Day (observed)
734956 Good Friday
734959 Easter Monday
734994 May Day
735015 Spring Bank Holiday
735061 Battle of the Boyne
735106 Late Summer Bank Holiday
735227 Christmas Day
735228 Boxing Day
735234 New Year's Day
735309 Saint Patrick's Day
735341 Good Friday
735344 Easter Monday
735358 May Day
735379 Spring Bank Holiday
735426 Battle of the Boyne
735428 Battle of the Boyne (observed)
735470 Late Summer Bank Holiday
735592 Christmas Day
735593 Boxing Day
735599 New Year's Day
735674 Saint Patrick's Day
735691 Good Friday
735694 Easter Monday
735722 May Day
735743 Spring Bank Holiday
735791 Battle of the Boyne
735792 Battle of the Boyne (observed)
735841 Late Summer Bank Holiday
735957 Christmas Day
735958 Boxing Day
735960 Boxing Day (observed)
735964 New Year's Day
736040 Saint Patrick's Day
736048 Good Friday
736051 Easter Monday
736086 May Day
736114 Spring Bank Holiday
736157 Battle of the Boyne
736205 Late Summer Bank Holiday
736323 Christmas Day
736324 Boxing Day
736325 Christmas Day (observed)
736330 New Year's Day
736331 New Year's Day (observed)
736405 Saint Patrick's Day
736433 Good Friday
736436 Easter Monday
736450 May Day
736478 Spring Bank Holiday
736522 Battle of the Boyne
736569 Late Summer Bank Holiday
736688 Christmas Day
736689 Boxing Day
736695 New Year's Day
736770 Saint Patrick's Day
736772 Saint Patrick's Day (observed)
736783 Good Friday
736786 Easter Monday
736821 May Day
736842 Spring Bank Holiday
736887 Battle of the Boyne
736933 Late Summer Bank Holiday
737053 Christmas Day
737054 Boxing Day
737060 New Year's Day
737135 Saint Patrick's Day
737136 Saint Patrick's Day (observed)
737168 Good Friday
737171 Easter Monday
737185 May Day
737206 Spring Bank Holiday
737252 Battle of the Boyne
737297 Late Summer Bank Holiday
737418 Christmas Day
737419 Boxing Day
737425 New Year's Day
737501 Saint Patrick's Day
737525 Good Friday
737528 Easter Monday
737553 May Day
737570 Spring Bank Holiday
737618 Battle of the Boyne
737619 Battle of the Boyne (observed)
737668 Late Summer Bank Holiday
737784 Christmas Day
737785 Boxing Day
737787 Boxing Day (observed)
737791 New Year's Day
737866 Saint Patrick's Day
737882 Good Friday
737885 Easter Monday
737913 May Day
737941 Spring Bank Holiday
737983 Battle of the Boyne
738032 Late Summer Bank Holiday
738149 Christmas Day
738150 Boxing Day
738151 Christmas Day (observed)
738152 Boxing Day (observed)
738156 New Year's Day
738158 New Year's Day (observed)
738231 Saint Patrick's Day
738260 Good Friday
738263 Easter Monday
738277 May Day
738308 Spring Bank Holiday
738309 Platinum Jubilee of Elizabeth II
738348 Battle of the Boyne
738396 Late Summer Bank Holiday
738417 State Funeral of Queen Elizabeth II
738514 Christmas Day
738515 Boxing Day
738516 Christmas Day (observed)
738521 New Year's Day
738522 New Year's Day (observed)
738596 Saint Patrick's Day
738617 Good Friday
738620 Easter Monday
738641 May Day
738648 Coronation of Charles III
738669 Spring Bank Holiday
738713 Battle of the Boyne
738760 Late Summer Bank Holiday
738879 Christmas Day
738880 Boxing Day
738886 New Year's Day
738962 Saint Patrick's Day
738963 Saint Patrick's Day (observed)
738974 Good Friday
738977 Easter Monday
739012 May Day
739033 Spring Bank Holiday
739079 Battle of the Boyne
739124 Late Summer Bank Holiday
739245 Christmas Day
739246 Boxing Day
739252 New Year's Day
739327 Saint Patrick's Day
739359 Good Friday
739362 Easter Monday
739376 May Day
739397 Spring Bank Holiday
739444 Battle of the Boyne
739446 Battle of the Boyne (observed)
739488 Late Summer Bank Holiday
739610 Christmas Day
739611 Boxing Day
739617 New Year's Day
739692 Saint Patrick's Day
739709 Good Friday
739712 Easter Monday
739740 May Day
739761 Spring Bank Holiday
739809 Battle of the Boyne
739810 Battle of the Boyne (observed)
739859 Late Summer Bank Holiday
739975 Christmas Day
739976 Boxing Day
739978 Boxing Day (observed)
739982 New Year's Day
740057 Saint Patrick's Day
740066 Good Friday
740069 Easter Monday
740104 May Day
740132 Spring Bank Holiday
740174 Battle of the Boyne
740223 Late Summer Bank Holiday
740340 Christmas Day
740341 Boxing Day
740342 Christmas Day (observed)
740343 Boxing Day (observed)
740347 New Year's Day
740349 New Year's Day (observed)
740423 Saint Patrick's Day
740451 Good Friday
740454 Easter Monday
740468 May Day
740496 Spring Bank Holiday
740540 Battle of the Boyne
740587 Late Summer Bank Holiday
740706 Christmas Day
740707 Boxing Day
740713 New Year's Day
740788 Saint Patrick's Day
740790 Saint Patrick's Day (observed)
740801 Good Friday
740804 Easter Monday
740839 May Day
740860 Spring Bank Holiday
740905 Battle of the Boyne
740951 Late Summer Bank Holiday
741071 Christmas Day
741072 Boxing Day
741078 New Year's Day
741153 Saint Patrick's Day
741154 Saint Patrick's Day (observed)
741186 Good Friday
741189 Easter Monday
741203 May Day
741224 Spring Bank Holiday
741270 Battle of the Boyne
741315 Late Summer Bank Holiday
741436 Christmas Day
741437 Boxing Day
741443 New Year's Day
741518 Saint Patrick's Day
741543 Good Friday
741546 Easter Monday
741567 May Day
741588 Spring Bank Holiday
741635 Battle of the Boyne
741637 Battle of the Boyne (observed)
741679 Late Summer Bank Holiday
741801 Christmas Day
741802 Boxing Day
741808 New Year's Day
741884 Saint Patrick's Day
741893 Good Friday
741896 Easter Monday
741931 May Day
741959 Spring Bank Holiday
742001 Battle of the Boyne
742050 Late Summer Bank Holiday
742167 Christmas Day
742168 Boxing Day
742169 Christmas Day (observed)
742170 Boxing Day (observed)
742174 New Year's Day
742176 New Year's Day (observed)
742249 Saint Patrick's Day
742278 Good Friday
742281 Easter Monday
742295 May Day
742323 Spring Bank Holiday
742366 Battle of the Boyne
742414 Late Summer Bank Holiday
742532 Christmas Day
742533 Boxing Day
742534 Christmas Day (observed)
742539 New Year's Day
742540 New Year's Day (observed)
742614 Saint Patrick's Day
742635 Good Friday
742638 Easter Monday
742659 May Day
742687 Spring Bank Holiday
742731 Battle of the Boyne
742778 Late Summer Bank Holiday
742897 Christmas Day
742898 Boxing Day
742904 New Year's Day
742979 Saint Patrick's Day
742981 Saint Patrick's Day (observed)
742985 Good Friday
742988 Easter Monday
743030 May Day
743051 Spring Bank Holiday
743096 Battle of the Boyne
743142 Late Summer Bank Holiday
743262 Christmas Day
743263 Boxing Day
743269 New Year's Day
743345 Saint Patrick's Day
743370 Good Friday
743373 Easter Monday
743394 May Day
743415 Spring Bank Holiday
743462 Battle of the Boyne
743464 Battle of the Boyne (observed)
743506 Late Summer Bank Holiday
743628 Christmas Day
743629 Boxing Day
743635 New Year's Day
743710 Saint Patrick's Day
743727 Good Friday
743730 Easter Monday
743758 May Day
743779 Spring Bank Holiday
743827 Battle of the Boyne
743828 Battle of the Boyne (observed)
743877 Late Summer Bank Holiday
743993 Christmas Day
743994 Boxing Day
743996 Boxing Day (observed)
744000 New Year's Day
744075 Saint Patrick's Day
744112 Good Friday
744115 Easter Monday
744122 May Day
744150 Spring Bank Holiday
744192 Battle of the Boyne
744241 Late Summer Bank Holiday
744358 Christmas Day
744359 Boxing Day
744360 Christmas Day (observed)
744361 Boxing Day (observed)
744365 New Year's Day
744367 New Year's Day (observed)
744440 Saint Patrick's Day
744462 Good Friday
744465 Easter Monday
744486 May Day
744514 Spring Bank Holiday
744557 Battle of the Boyne
744605 Late Summer Bank Holiday
744723 Christmas Day
744724 Boxing Day
744725 Christmas Day (observed)
744730 New Year's Day
744731 New Year's Day (observed)
744806 Saint Patrick's Day
744808 Saint Patrick's Day (observed)
744819 Good Friday
744822 Easter Monday
744857 May Day
744878 Spring Bank Holiday
744923 Battle of the Boyne
744969 Late Summer Bank Holiday
745089 Christmas Day
745090 Boxing Day
745096 New Year's Day
745171 Saint Patrick's Day
745172 Saint Patrick's Day (observed)
745204 Good Friday
745207 Easter Monday
745221 May Day
745242 Spring Bank Holiday
745288 Battle of the Boyne
745333 Late Summer Bank Holiday
745454 Christmas Day
745455 Boxing Day
745461 New Year's Day
745536 Saint Patrick's Day
745554 Good Friday
745557 Easter Monday
745585 May Day
745606 Spring Bank Holiday
745653 Battle of the Boyne
745655 Battle of the Boyne (observed)
745697 Late Summer Bank Holiday
745819 Christmas Day
745820 Boxing Day
745826 New Year's Day
745901 Saint Patrick's Day
745911 Good Friday
745914 Easter Monday
745949 May Day
745970 Spring Bank Holiday
746018 Battle of the Boyne
746019 Battle of the Boyne (observed)
746068 Late Summer Bank Holiday
746184 Christmas Day
746185 Boxing Day
746187 Boxing Day (observed)
746191 New Year's Day
746267 Saint Patrick's Day
746296 Good Friday
746299 Easter Monday
746313 May Day
746341 Spring Bank Holiday
746384 Battle of the Boyne
746432 Late Summer Bank Holiday
746550 Christmas Day
746551 Boxing Day
746552 Christmas Day (observed)
746557 New Year's Day
746558 New Year's Day (observed)
746632 Saint Patrick's Day
746653 Good Friday
746656 Easter Monday
746677 May Day
746705 Spring Bank Holiday
746749 Battle of the Boyne
746796 Late Summer Bank Holiday
746915 Christmas Day
746916 Boxing Day
746922 New Year's Day
746997 Saint Patrick's Day
746999 Saint Patrick's Day (observed)
747003 Good Friday
747006 Easter Monday
747048 May Day
747069 Spring Bank Holiday
747114 Battle of the Boyne
747160 Late Summer Bank Holiday
747280 Christmas Day
747281 Boxing Day
747287 New Year's Day
747362 Saint Patrick's Day
747363 Saint Patrick's Day (observed)
747388 Good Friday
747391 Easter Monday
747412 May Day
747433 Spring Bank Holiday
747479 Battle of the Boyne
747524 Late Summer Bank Holiday
747645 Christmas Day
747646 Boxing Day
747652 New Year's Day
747728 Saint Patrick's Day
747745 Good Friday
747748 Easter Monday
747776 May Day
747797 Spring Bank Holiday
747845 Battle of the Boyne
747846 Battle of the Boyne (observed)
747895 Late Summer Bank Holiday
748011 Christmas Day
748012 Boxing Day
748014 Boxing Day (observed)
748018 New Year's Day
748093 Saint Patrick's Day
748123 Good Friday
748126 Easter Monday
748140 May Day
748168 Spring Bank Holiday
748210 Battle of the Boyne
748259 Late Summer Bank Holiday
748376 Christmas Day
748377 Boxing Day
748378 Christmas Day (observed)
748379 Boxing Day (observed)
748383 New Year's Day
748385 New Year's Day (observed)
748458 Saint Patrick's Day
748480 Good Friday
748483 Easter Monday
748504 May Day
748532 Spring Bank Holiday
748575 Battle of the Boyne
748623 Late Summer Bank Holiday
748741 Christmas Day
748742 Boxing Day
748743 Christmas Day (observed)
748748 New Year's Day
748749 New Year's Day (observed)
748823 Saint Patrick's Day
748837 Good Friday
748840 Easter Monday
748868 May Day
748896 Spring Bank Holiday
748940 Battle of the Boyne
748987 Late Summer Bank Holiday
749106 Christmas Day
749107 Boxing Day
749113 New Year's Day
749189 Saint Patrick's Day
749190 Saint Patrick's Day (observed)
749222 Good Friday
749225 Easter Monday
749239 May Day
749260 Spring Bank Holiday
749306 Battle of the Boyne
749351 Late Summer Bank Holiday
749472 Christmas Day
749473 Boxing Day
749479 New Year's Day
749554 Saint Patrick's Day
749572 Good Friday
749575 Easter Monday
749603 May Day
749624 Spring Bank Holiday
749671 Battle of the Boyne
749673 Battle of the Boyne (observed)
749715 Late Summer Bank Holiday
749837 Christmas Day
749838 Boxing Day
749844 New Year's Day
749919 Saint Patrick's Day
749929 Good Friday
749932 Easter Monday
749967 May Day
749988 Spring Bank Holiday
750036 Battle of the Boyne
750037 Battle of the Boyne (observed)
750086 Late Summer Bank Holiday
750202 Christmas Day
750203 Boxing Day
750205 Boxing Day (observed)
750209 New Year's Day
750284 Saint Patrick's Day
750314 Good Friday
750317 Easter Monday
750331 May Day
750359 Spring Bank Holiday
750401 Battle of the Boyne
750450 Late Summer Bank Holiday
750567 Christmas Day
750568 Boxing Day
750569 Christmas Day (observed)
750570 Boxing Day (observed)
750574 New Year's Day
750576 New Year's Day (observed)
750650 Saint Patrick's Day
750664 Good Friday
750667 Easter Monday
750695 May Day
750723 Spring Bank Holiday
750767 Battle of the Boyne
750814 Late Summer Bank Holiday
750933 Christmas Day
750934 Boxing Day
750940 New Year's Day
751015 Saint Patrick's Day
751017 Saint Patrick's Day (observed)
751049 Good Friday
751052 Easter Monday
751066 May Day
751087 Spring Bank Holiday
751132 Battle of the Boyne
751178 Late Summer Bank Holiday
751298 Christmas Day
751299 Boxing Day
751305 New Year's Day
751380 Saint Patrick's Day
751381 Saint Patrick's Day (observed)
751406 Good Friday
751409 Easter Monday
751430 May Day
751451 Spring Bank Holiday
751497 Battle of the Boyne
751542 Late Summer Bank Holiday
751663 Christmas Day
751664 Boxing Day
751670 New Year's Day
751745 Saint Patrick's Day
751756 Good Friday
751759 Easter Monday
751794 May Day
751815 Spring Bank Holiday
751862 Battle of the Boyne
751864 Battle of the Boyne (observed)
751906 Late Summer Bank Holiday
752028 Christmas Day
752029 Boxing Day
752035 New Year's Day
752111 Saint Patrick's Day
752141 Good Friday
752144 Easter Monday
752158 May Day
752186 Spring Bank Holiday
752228 Battle of the Boyne
752277 Late Summer Bank Holiday
752394 Christmas Day
752395 Boxing Day
752396 Christmas Day (observed)
752397 Boxing Day (observed)
752401 New Year's Day
752403 New Year's Day (observed)
752476 Saint Patrick's Day
752498 Good Friday
752501 Easter Monday
752522 May Day
752550 Spring Bank Holiday
752593 Battle of the Boyne
752641 Late Summer Bank Holiday
752759 Christmas Day
752760 Boxing Day
752761 Christmas Day (observed)
752766 New Year's Day
752767 New Year's Day (observed)
752841 Saint Patrick's Day
752848 Good Friday
752851 Easter Monday
752886 May Day
752914 Spring Bank Holiday
752958 Battle of the Boyne
753005 Late Summer Bank Holiday
753124 Christmas Day
753125 Boxing Day
753131 New Year's Day
753206 Saint Patrick's Day
753208 Saint Patrick's Day (observed)
753233 Good Friday
753236 Easter Monday
753257 May Day
753278 Spring Bank Holiday
753323 Battle of the Boyne
753369 Late Summer Bank Holiday
753489 Christmas Day
753490 Boxing Day
753496 New Year's Day
753572 Saint Patrick's Day
753590 Good Friday
753593 Easter Monday
753621 May Day
753642 Spring Bank Holiday
753689 Battle of the Boyne
753691 Battle of the Boyne (observed)
753733 Late Summer Bank Holiday
753855 Christmas Day
753856 Boxing Day
753862 New Year's Day
753937 Saint Patrick's Day
753947 Good Friday
753950 Easter Monday
753985 May Day
754006 Spring Bank Holiday
754054 Battle of the Boyne
754055 Battle of the Boyne (observed)
754104 Late Summer Bank Holiday
754220 Christmas Day
754221 Boxing Day
754223 Boxing Day (observed)
754227 New Year's Day
754302 Saint Patrick's Day
754325 Good Friday
754328 Easter Monday
754349 May Day
754377 Spring Bank Holiday
754419 Battle of the Boyne
754468 Late Summer Bank Holiday
754585 Christmas Day
754586 Boxing Day
754587 Christmas Day (observed)
754588 Boxing Day (observed)
754592 New Year's Day
754594 New Year's Day (observed)
754667 Saint Patrick's Day
754682 Good Friday
754685 Easter Monday
754713 May Day
754741 Spring Bank Holiday
754784 Battle of the Boyne
754832 Late Summer Bank Holiday
754950 Christmas Day
754951 Boxing Day
754952 Christmas Day (observed)
754957 New Year's Day
754958 New Year's Day (observed)
755033 Saint Patrick's Day
755035 Saint Patrick's Day (observed)
755067 Good Friday
755070 Easter Monday
755084 May Day
755105 Spring Bank Holiday
755150 Battle of the Boyne
755196 Late Summer Bank Holiday
755316 Christmas Day
755317 Boxing Day
755323 New Year's Day
755398 Saint Patrick's Day
755399 Saint Patrick's Day (observed)
755424 Good Friday
755427 Easter Monday
755448 May Day
755469 Spring Bank Holiday
755515 Battle of the Boyne
755560 Late Summer Bank Holiday
755681 Christmas Day
755682 Boxing Day
755688 New Year's Day
755763 Saint Patrick's Day
755774 Good Friday
755777 Easter Monday
755812 May Day
755833 Spring Bank Holiday
755880 Battle of the Boyne
755882 Battle of the Boyne (observed)
755924 Late Summer Bank Holiday
756046 Christmas Day
756047 Boxing Day
756053 New Year's Day
756128 Saint Patrick's Day
756159 Good Friday
756162 Easter Monday
756176 May Day
756197 Spring Bank Holiday
756245 Battle of the Boyne
756246 Battle of the Boyne (observed)
756295 Late Summer Bank Holiday
756411 Christmas Day
756412 Boxing Day
756414 Boxing Day (observed)
756418 New Year's Day
756494 Saint Patrick's Day
756516 Good Friday
756519 Easter Monday
756540 May Day
756568 Spring Bank Holiday
756611 Battle of the Boyne
756659 Late Summer Bank Holiday
756777 Christmas Day
756778 Boxing Day
756779 Christmas Day (observed)
756784 New Year's Day
756785 New Year's Day (observed)
756859 Saint Patrick's Day
756866 Good Friday
756869 Easter Monday
756904 May Day
756932 Spring Bank Holiday
756976 Battle of the Boyne
757023 Late Summer Bank Holiday
757142 Christmas Day
757143 Boxing Day
757149 New Year's Day
757224 Saint Patrick's Day
757226 Saint Patrick's Day (observed)
757251 Good Friday
757254 Easter Monday
757275 May Day
757296 Spring Bank Holiday
757341 Battle of the Boyne
757387 Late Summer Bank Holiday
757507 Christmas Day
757508 Boxing Day
757514 New Year's Day
757589 Saint Patrick's Day
757590 Saint Patrick's Day (observed)
757608 Good Friday
757611 Easter Monday
757639 May Day
757660 Spring Bank Holiday
757706 Battle of the Boyne
757751 Late Summer Bank Holiday
757872 Christmas Day
757873 Boxing Day
757879 New Year's Day
757955 Saint Patrick's Day
757986 Good Friday
757989 Easter Monday
758003 May Day
758024 Spring Bank Holiday
758072 Battle of the Boyne
758073 Battle of the Boyne (observed)
758122 Late Summer Bank Holiday
758238 Christmas Day
758239 Boxing Day
758241 Boxing Day (observed)
758245 New Year's Day
758320 Saint Patrick's Day
758343 Good Friday
758346 Easter Monday
758367 May Day
758395 Spring Bank Holiday
758437 Battle of the Boyne
758486 Late Summer Bank Holiday
758603 Christmas Day
758604 Boxing Day
758605 Christmas Day (observed)
758606 Boxing Day (observed)
758610 New Year's Day
758612 New Year's Day (observed)
758685 Saint Patrick's Day
758700 Good Friday
758703 Easter Monday
758731 May Day
758759 Spring Bank Holiday
758802 Battle of the Boyne
758850 Late Summer Bank Holiday
758968 Christmas Day
758969 Boxing Day
758970 Christmas Day (observed)
""",
}
